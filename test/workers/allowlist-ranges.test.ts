import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminDecisionPageSchema } from "../../src/contract/admin";
import { lapiDecisionListSchema } from "../../src/contract/lapi";
import { parseCidr, subtractCidrs } from "../../src/core/ip";
import { admin, adminOk, bouncer, newBouncer, type StreamAnswer, stream } from "./api-support";
import { edgeApp, stubNetwork, visit } from "./edge-support";
import { flushKv, ledger } from "./ingest-support";

/**
 * Issue 10, item 3: allowlisting one address inside a banned range lifts only what the
 * entry covers whole. The range stays in force for its other addresses: at the edge the
 * allowlisted address passes (the allowlist is checked after a hit), and bouncers receive
 * the range carved around it (the rest of the range as CIDR blocks), since CrowdSec's
 * stream can carry no exception.
 */

const RANGE = "198.51.100.0/24";

/** What a bouncer holds after applying each answer as the firewall bouncer does (deleted, then new). */
class BouncerState {
  readonly values = new Set<string>();
  apply(a: StreamAnswer): this {
    for (const d of a.deleted ?? []) this.values.delete(d.value);
    for (const d of a.new ?? []) this.values.add(d.value);
    return this;
  }
  sorted(): string[] {
    return [...this.values].sort();
  }
}

function carved(range: string, ...holes: string[]): string[] {
  const outer = parseCidr(range);
  if (!outer) throw new Error(range);
  const pieces =
    subtractCidrs(
      outer,
      holes.map((h) => parseCidr(h) ?? outer),
      1000,
    ) ?? [];
  return pieces.map((p) => p.text).sort();
}

describe("an allowlist entry inside a banned range", () => {
  it("keeps the range, lets the address through at the edge, and carves it out of the bouncer stream", async () => {
    const key = await newBouncer();
    const fw = new BouncerState().apply(await stream(key, "?startup=true"));
    const ban = await adminOk<{ decision: { id: number } }>("POST", "/decisions", {
      range: RANGE,
      duration: "1h",
    });
    expect(fw.apply(await stream(key)).sorted()).toContain(RANGE);

    const allow = await adminOk<{ lifted: number[] }>("POST", "/allowlist", {
      value: "198.51.100.170",
      reason: "our monitor",
    });
    expect(allow.lifted).toEqual([]);
    // The Ledger still enforces the range (admin API, KV); pieces are never listed.
    const live = adminDecisionPageSchema.parse(await adminOk("GET", `/decisions?range=${RANGE}`));
    expect(live.decisions.map((d) => [d.id, d.value, d.active])).toEqual([
      [ban.decision.id, RANGE, true],
    ]);
    const all = adminDecisionPageSchema.parse(await adminOk("GET", "/decisions?all=true"));
    expect(
      all.decisions.every((d) => !d.value.startsWith("198.51.100.") || d.value === RANGE),
    ).toBe(true);

    // The edge: the neighbour is banned, the allowlisted address passes.
    stubNetwork();
    await flushKv();
    const edge = edgeApp(env.BLOCKLIST);
    expect((await visit(edge, "/", { ip: "198.51.100.171" })).status).toBe(403);
    expect((await visit(edge, "/", { ip: "198.51.100.170" })).status).toBe(201);

    // The bouncer: the range is replaced by the rest of it.
    const state = fw.apply(await stream(key)).sorted();
    expect(state).toEqual(carved(RANGE, "198.51.100.170"));
    expect(state).toContain("198.51.100.171/32");
    expect(state).not.toContain(RANGE);

    // Live mode asks about one address at a time.
    const asked = async (ip: string) =>
      lapiDecisionListSchema.parse(await (await bouncer(`/decisions?ip=${ip}`, { key })).json());
    expect(await asked("198.51.100.170")).toBeNull();
    expect((await asked("198.51.100.171"))?.map((d) => d.value)).toEqual(["198.51.100.171/32"]);

    // A second entry, then each removed: the stream follows, the bouncer converges.
    await adminOk("POST", "/allowlist", { value: "198.51.100.200/30" });
    expect(fw.apply(await stream(key)).sorted()).toEqual(
      carved(RANGE, "198.51.100.170", "198.51.100.200/30"),
    );
    await adminOk("DELETE", "/allowlist?value=198.51.100.170");
    expect(fw.apply(await stream(key)).sorted()).toEqual(carved(RANGE, "198.51.100.200/30"));
    // A bouncer starting now gets the carved range only.
    const fresh = await newBouncer();
    expect(new BouncerState().apply(await stream(fresh, "?startup=true")).sorted()).toEqual(
      carved(RANGE, "198.51.100.200/30"),
    );
    await adminOk("DELETE", "/allowlist?value=198.51.100.200/30");
    expect(fw.apply(await stream(key)).sorted()).toEqual([RANGE]);

    // Ending a carved range ends what the bouncers hold of it.
    await adminOk("POST", "/allowlist", { value: "198.51.100.9" });
    expect(fw.apply(await stream(key)).sorted()).toEqual(carved(RANGE, "198.51.100.9"));
    await adminOk("DELETE", `/decisions/${ban.decision.id}`);
    expect(fw.apply(await stream(key)).sorted()).toEqual([]);
    await adminOk("DELETE", "/allowlist?value=198.51.100.9");
  });

  it("carves a range decided while an entry inside it stands; an entry covering the range lifts it", async () => {
    await adminOk("POST", "/allowlist", { value: "203.0.113.77" });
    const key = await newBouncer();
    const fw = new BouncerState().apply(await stream(key, "?startup=true"));
    const d = await adminOk<{ decision: { id: number; active: boolean } }>("POST", "/decisions", {
      range: "203.0.113.64/26",
      duration: "1h",
    });
    expect(d.decision.active).toBe(true);
    expect(fw.apply(await stream(key)).sorted()).toEqual(carved("203.0.113.64/26", "203.0.113.77"));
    // Nothing whole was ever sent.
    const out = await adminOk<{ lifted: number[] }>("POST", "/allowlist", {
      value: "203.0.113.0/24",
    });
    expect(out.lifted).toEqual([d.decision.id]);
    expect((await ledger().decision(d.decision.id))?.deleted_reason).toBe("allowlisted");
    expect(fw.apply(await stream(key)).sorted()).toEqual([]);
    await adminOk("DELETE", "/allowlist?value=203.0.113.0/24");
    await adminOk("DELETE", "/allowlist?value=203.0.113.77");
  });

  it("streams the range whole again when the entry inside it expires", async () => {
    const key = await newBouncer();
    const fw = new BouncerState().apply(await stream(key, "?startup=true"));
    await adminOk("POST", "/decisions", { range: "192.0.2.0/28", duration: "1h" });
    await adminOk("POST", "/allowlist", { value: "192.0.2.5", duration: "1s" });
    expect(fw.apply(await stream(key)).sorted()).toEqual(carved("192.0.2.0/28", "192.0.2.5"));
    await new Promise((r) => setTimeout(r, 1_100));
    await flushKv();
    expect(fw.apply(await stream(key)).sorted()).toEqual(["192.0.2.0/28"]);
    const metrics = await adminOk<{ decisions: { active: { count: number }[] } }>(
      "GET",
      "/metrics",
    );
    expect(metrics.decisions.active.reduce((n, r) => n + r.count, 0)).toBe(1);
    const res = await admin("DELETE", "/decisions?range=192.0.2.0/28");
    expect(res.status).toBe(200);
  });
});
