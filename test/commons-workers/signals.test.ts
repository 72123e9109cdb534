import { describe, expect, it } from "vitest";
import type { Explain } from "../../src/contract/capi-commons";
import { ADMIN, attacker, call, MODIFIED, member, ok, send, signal } from "./support";

// POST /v2/signals: validation, deduplication, the daily bound (60 in this config),
// policy, and that nothing of a log is kept.

async function explain(ip: string): Promise<Explain> {
  return ok<Explain>(await call("GET", `/v1/admin/explain/${ip}`, { token: ADMIN }));
}

describe("POST /v2/signals", () => {
  it("accepts 1.4.6's batch (an array, no uuid) and answers CrowdSec's OK with Palisade's counts", async () => {
    const m = await member();
    const ip = attacker();
    const out = await send(m, [signal(ip), signal(attacker(), MODIFIED)]);
    expect(out).toEqual({
      message: "OK",
      accepted: 2,
      counted: 1,
      stored: 2,
      duplicates: 0,
      ignored: 0,
    });
    const e = await explain(ip);
    expect(e.reporters).toBe(1);
    expect(e.reporters_detail[0]).toMatchObject({
      machine_id: m.id,
      counted: true,
      scenario: "crowdsecurity/ssh-bf",
    });
    // Only the scenario, the key and times are kept: never the message.
    expect(JSON.stringify(e)).not.toContain("performed");
  });

  it("drops a resent signal: by uuid, and by content when there is none (1.4.6)", async () => {
    const m = await member();
    const ip = attacker();
    const s = signal(ip);
    expect((await send(m, [s])).stored).toBe(1);
    expect(await send(m, [s])).toMatchObject({ stored: 0, duplicates: 1 });
    const withUuid = { ...signal(ip), uuid: "6f1c1e2a-0000-4000-8000-000000000001" };
    expect((await send(m, [withUuid])).stored).toBe(1);
    expect((await send(m, [{ ...withUuid, stop_at: new Date().toISOString() }])).duplicates).toBe(
      1,
    );
    expect((await explain(ip)).reporters_detail[0]?.reports).toBe(2);
  });

  it("refuses the whole batch when one signal is malformed (400 naming it), storing nothing", async () => {
    const m = await member();
    const ip = attacker();
    const bad = { ...signal(ip), source: { scope: "Ip" } };
    const out = await ok<{ message: string; error: { code: string; path: string } }>(
      await call("POST", "/v2/signals", { token: m.token, body: [signal(ip), bad] }),
      400,
    );
    expect(out.error).toMatchObject({ code: "invalid_body", path: "body[1].source.value" });
    expect((await explain(ip)).reporters_detail).toEqual([]);
  });

  it.each([
    [{ signals: [] }, "body"],
    [[{ ...signal("45.155.205.1"), start_at: "yesterday" }], "body[0].start_at"],
    [[{ ...signal("45.155.205.1"), scenario: undefined }], "body[0].scenario"],
  ])("refuses %j (400 at %s)", async (body, path) => {
    const m = await member();
    const res = await call("POST", "/v2/signals", { token: m.token, body });
    expect((await ok<{ error: { path: string } }>(res, 400)).error.path).toBe(path);
  });

  it("refuses a batch past the daily bound (429, saying so) and keeps none of it", async () => {
    const m = await member();
    const first = attacker();
    expect(
      (
        await send(
          m,
          Array.from({ length: 50 }, () => signal(first)),
        )
      ).accepted,
    ).toBe(50);
    const second = attacker();
    const out = await ok<{ message: string; error: { code: string } }>(
      await call("POST", "/v2/signals", {
        token: m.token,
        body: Array.from({ length: 11 }, () => signal(second)),
      }),
      429,
    );
    expect(out.error.code).toBe("daily_bound");
    expect(out.message).toContain("has sent 50 of its 60 signals today");
    expect(out.message).toContain("COMMONS_DAILY_SIGNALS");
    expect((await explain(second)).reporters_detail).toEqual([]);
    expect(
      (
        await send(
          m,
          Array.from({ length: 10 }, () => signal(second)),
        )
      ).accepted,
    ).toBe(10);
  });

  it("keeps an unenrolled member's and a modified scenario's reports out of consensus, with the reason", async () => {
    const sybil = await member(false);
    const site = await member();
    const ip = attacker();
    await send(sybil, [signal(ip)]);
    await send(site, [signal(ip, MODIFIED)]);
    const e = await explain(ip);
    expect(e.reporters).toBe(0);
    const why = Object.fromEntries(e.reporters_detail.map((r) => [r.machine_id, r.why]));
    expect(why[sybil.id]).toBe("member not enrolled");
    expect(why[site.id]).toMatch(/^modified scenario: /);
  });

  it("ignores private, reserved and non-Ip sources without storing them", async () => {
    const m = await member();
    const out = await send(m, [
      signal("10.20.30.40"),
      signal("192.0.2.7"),
      signal("fe80::1"),
      { ...signal("45.155.205.9"), source: { scope: "Range", value: "45.155.205.0/24" } },
    ]);
    expect(out).toMatchObject({ accepted: 4, ignored: 4, stored: 0 });
    const e = await explain("10.20.30.40");
    expect(e.verdict).toMatch(/^Never listed: reserved: 10\.0\.0\.0\/8: private network/);
  });

  it("marks safe-listed sources (Cloudflare's edge) and lowers the reporter's trust", async () => {
    const m = await member();
    await send(m, [signal("104.16.0.1"), signal("172.64.80.1")]);
    const e = await explain("104.16.0.1");
    expect(e.classification).toBe("safe");
    expect(e.reporters_detail[0]?.why).toBe(
      "safe list: 104.16.0.0/13 (cdn_providers/cloudflare_ips)",
    );
    const view = await ok<{ safe_reports: number; trust: number }>(
      await call("GET", `/v1/admin/members/${m.id}`, { token: ADMIN }),
    );
    expect(view.safe_reports).toBe(2);
    expect(view.trust).toBeLessThan(0.6);
  });

  it("needs a valid member token", async () => {
    expect((await call("POST", "/v2/signals", { body: [] })).status).toBe(401);
    expect((await call("POST", "/v2/signals", { token: "a.b.c", body: [] })).status).toBe(401);
  });
});

describe("members not enrolled", () => {
  it("have their own, smaller bound (COMMONS_UNENROLLED_DAILY_SIGNALS, 20 here)", async () => {
    const stranger = await member(false);
    expect(
      (
        await send(
          stranger,
          Array.from({ length: 20 }, () => signal(attacker())),
        )
      ).accepted,
    ).toBe(20);
    const out = await ok<{ message: string }>(
      await call("POST", "/v2/signals", { token: stranger.token, body: [signal(attacker())] }),
      429,
    );
    expect(out.message).toContain("has sent 20 of its 20 signals today");
  });
});
