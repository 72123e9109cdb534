import { describe, expect, it } from "vitest";
import { admin, adminOk } from "./api-support";
import { flushKv, stateSnapshot } from "./ingest-support";

/**
 * Issue 10, item 5: admin input that is valid but almost certainly a mistake is refused
 * (422 force_required, naming the field and saying what would happen) unless `force`.
 */

type ErrorJson = { error: { code: string; path?: string; message: string } };

async function needsForce(res: Response, path: string): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(422);
  const e = (JSON.parse(text) as ErrorJson).error;
  expect(e.code).toBe("force_required");
  expect(e.path).toBe(path);
  expect(e.message).toContain('"force": true');
  return e.message;
}

describe("decisions that look like a mistake", () => {
  it("refuses the internet-wide ranges, naming what they cover, and stores nothing", async () => {
    await flushKv();
    const before = await stateSnapshot();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ range: "0.0.0.0/0" }, "body.range", "4294967296 addresses (100% of IPv4)"],
      [{ range: "0.0.0.0/1" }, "body.range", "2147483648 addresses (50% of IPv4)"],
      [{ range: "::/0" }, "body.range", "2^128 addresses (100% of IPv6)"],
      [{ scope: "Range", value: "2000::/3" }, "body.value", "2^125 addresses (13% of IPv6)"],
      [{ range: "64.0.0.0/7" }, "body.range", "33554432 addresses (0.78% of IPv4)"],
    ];
    for (const [body, path, what] of cases) {
      expect(await needsForce(await admin("POST", "/decisions", body), path)).toContain(what);
    }
    expect(await stateSnapshot()).toEqual(before);
  });

  it("refuses a decision on what the built-in allowlist exempts: the edge would ignore it, bouncers not", async () => {
    const ip = await needsForce(await admin("POST", "/decisions", { ip: "127.0.0.1" }), "body.ip");
    expect(ip).toContain("IPv4 loopback");
    expect(ip).toContain("the edge never blocks it, but bouncers will");
    const range = await needsForce(
      await admin("POST", "/decisions", { range: "192.168.1.0/24" }),
      "body.range",
    );
    expect(range).toContain("holds addresses in the built-in allowlist");
    // A range around a private network is wide and exempt: both are said at once.
    const both = await needsForce(
      await admin("POST", "/decisions", { range: "0.0.0.0/1" }),
      "body.range",
    );
    expect(both).toContain("covers 2147483648 addresses");
    expect(both).toContain("built-in allowlist");
  });

  it("refuses a duration under a second", async () => {
    for (const duration of ["1ns", "999ms"]) {
      const m = await needsForce(
        await admin("POST", "/decisions", { ip: "192.0.2.33", duration }),
        "body.duration",
      );
      expect(m).toContain("ends before the edge");
    }
  });

  it("does what it is told with force, and never asks for an ordinary decision", async () => {
    const forced = await admin("POST", "/decisions", { ip: "10.9.8.7", force: true });
    expect(forced.status).toBe(201);
    const plain = await admin("POST", "/decisions", { range: "203.0.113.0/24", duration: "1s" });
    expect(plain.status).toBe(201);
    const eight = await admin("POST", "/decisions", { range: "11.0.0.0/8", duration: "1h" });
    expect(eight.status).toBe(201);
    await adminOk("DELETE", "/decisions?all=true");
  });
});

describe("allowlist entries that look like a mistake", () => {
  it("refuses allowlisting the internet unless forced", async () => {
    for (const value of ["0.0.0.0/0", "::/0", "0.0.0.0/4"]) {
      const m = await needsForce(await admin("POST", "/allowlist", { value }), "body.value");
      expect(m).toContain("every active decision inside it is lifted");
    }
    const list = await adminOk<{ entries: unknown[] }>("GET", "/allowlist");
    expect(list.entries).toEqual([]);
    expect((await admin("POST", "/allowlist", { value: "10.0.0.0/8" })).status).toBe(201);
    const forced = await admin("POST", "/allowlist", { value: "::/0", force: true });
    expect(forced.status).toBe(201);
    await adminOk("DELETE", "/allowlist?value=::/0");
    await adminOk("DELETE", "/allowlist?value=10.0.0.0/8");
  });
});
