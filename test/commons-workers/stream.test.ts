import { describe, expect, it } from "vitest";
import { capiCursorStreamSchema } from "../../src/contract/capi";
import { commonsStatusSchema } from "../../src/contract/capi-commons";
import { CURSOR_HEADER } from "../../src/contract/lapi";
import { ADMIN, attacker, call, member, ok, pull, pullUntil, send, signal } from "./support";

// GET /v2/decisions/stream: the flat form 1.4.6 accepts, only what changed since the
// member's last pull, the whole list at startup, and Palisade's since=<seq> cursor.

async function listBy(ip: string, reporters = 3) {
  const ms = await Promise.all(Array.from({ length: reporters }, () => member()));
  for (const m of ms) await send(m, [signal(ip)]);
  return ms;
}

describe("GET /v2/decisions/stream", () => {
  it("gives an address 3 enrolled members reported, in 1.4.6's flat form, then nothing new", async () => {
    const ip = attacker();
    await listBy(ip);
    const reader = await member();
    const seen = await pullUntil(reader, ip);
    const d = seen.new.find((x) => x.value === ip);
    expect(Object.keys(d ?? {})).toEqual([
      "duration",
      "origin",
      "scenario",
      "scope",
      "type",
      "value",
    ]);
    expect(d).toMatchObject({
      origin: "CAPI",
      scenario: "crowdsecurity/ssh-bf",
      scope: "Ip",
      type: "ban",
    });
    expect(d?.duration).toMatch(/^(4[0-7]|48)h/);
    expect(await pull(reader)).toEqual({ new: [], deleted: [] });
  });

  it("sends a delisting as deleted to a member that had it, once", async () => {
    const ip = attacker();
    const [a] = await listBy(ip);
    const reader = await member();
    await pullUntil(reader, ip);
    // Revoking a reporter forgets its reports: two left, the address is delisted.
    await ok(await call("DELETE", `/v1/admin/members/${a?.id}`, { token: ADMIN }));
    const deadline = Date.now() + 20_000;
    let deleted: string[] = [];
    while (deleted.length === 0 && Date.now() < deadline) {
      deleted = (await pull(reader)).deleted.map((d) => d.value);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(deleted).toEqual([ip]);
    expect((await pull(reader)).deleted.map((d) => d.value)).toEqual([]);
  });

  it("gives the whole list again at startup=true", async () => {
    const ip = attacker();
    await listBy(ip);
    const reader = await member();
    await pullUntil(reader, ip);
    expect((await pull(reader)).new).toEqual([]);
    const again = await pull(reader, "?startup=true");
    expect(again.new.map((d) => d.value)).toContain(ip);
  });

  it("lists an IPv6 attacker by its /64, as a Range, from reports of different addresses in it", async () => {
    const ms = await Promise.all([member(), member(), member()]);
    for (const [i, m] of ms.entries()) await send(m, [signal(`2a01:e0a:1f:2a0::${i + 1}`)]);
    const seen = await pullUntil(await member(), "2a01:e0a:1f:2a0::/64");
    expect(seen.new.find((d) => d.value === "2a01:e0a:1f:2a0::/64")?.scope).toBe("Range");
  });

  it("since=<seq>: changes after the client's cursor, with seq, full and X-Palisade-Cursor", async () => {
    const reader = await member();
    const first = await call("GET", "/v2/decisions/stream?since=0", { token: reader.token });
    const a = capiCursorStreamSchema.parse(await ok(first));
    expect(first.headers.get(CURSOR_HEADER)).toBe(String(a.seq));
    const ip = attacker();
    await listBy(ip);
    let b = a;
    const deadline = Date.now() + 20_000;
    while (!b.new.some((d) => d.value === ip) && Date.now() < deadline) {
      b = capiCursorStreamSchema.parse(
        await ok(await call("GET", `/v2/decisions/stream?since=${a.seq}`, { token: reader.token })),
      );
    }
    expect(b.full).toBe(false);
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(b.new.map((d) => d.value)).toContain(ip);
    const c = capiCursorStreamSchema.parse(
      await ok(await call("GET", `/v2/decisions/stream?since=${b.seq}`, { token: reader.token })),
    );
    expect(c.new).toEqual([]);
  });

  it("refuses a bad since (400) and a member not enrolled (403)", async () => {
    const reader = await member();
    const bad = await call("GET", "/v2/decisions/stream?since=abc", { token: reader.token });
    expect((await ok<{ error: { path: string } }>(bad, 400)).error.path).toBe("query.since");
    const stranger = await member(false);
    const out = await ok<{ message: string }>(
      await call("GET", "/v2/decisions/stream", { token: stranger.token }),
      403,
    );
    expect(out.message).toContain("not enrolled");
    expect((await call("GET", "/v2/decisions/stream")).status).toBe(401);
  });

  it("serves a full list from the KV base snapshot, with the changes since laid over", async () => {
    // 1,200 seeded listings pass the compaction threshold: the next publish writes a base.
    const ips = Array.from(
      { length: 1200 },
      (_, i) => `61.${10 + Math.floor(i / 250)}.${i % 250}.9`,
    );
    await ok(await call("POST", "/v1/admin/bench/seed", { token: ADMIN, body: { ips } }));
    await ok(await call("POST", "/v1/admin/bench/publish", { token: ADMIN }));
    const status = commonsStatusSchema.parse(
      await ok(await call("GET", "/v1/admin/status", { token: ADMIN })),
    );
    expect(status.base?.entries).toBeGreaterThanOrEqual(1200);
    expect(status.base?.bytes).toBeGreaterThan(1200 * 13);
    const late = attacker();
    await listBy(late);
    const reader = await member();
    const seen = await pullUntil(reader, late);
    const values = new Set(seen.new.map((d) => d.value));
    for (const ip of ips) expect(values.has(ip), ip).toBe(true);
    expect(values.size).toBe(seen.new.length);
  });
});
