import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { ledgerKvRepair } from "../../src/api/edge-metrics";
import { KV_KEYS, type Manifest } from "../../src/core/blocklist/index";
import type { BlocklistStatus } from "../../src/edge/blocklist-cache";
import {
  decision,
  type Edge,
  edgeApp,
  HOUR,
  probeKv,
  seed,
  stubNetwork,
  visit,
} from "./edge-support";
import { flushKv, ledger, ledgerKvState } from "./ingest-support";

// A KV key the isolate cannot decode must not turn enforcement off: it is skipped and
// reported (the Ledger rewrites it), /health says degraded; and a copy that cannot be
// refreshed for longer than BLOCKLIST_STALE_MS gives way to the fail mode, logged.

const A = "203.0.113.40";
const B = "203.0.113.41";
const C = "203.0.113.42";
const CLEAN = "198.51.100.40";

let errors: MockInstance<typeof console.error>;
beforeEach(() => {
  stubNetwork();
  errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const logged = (code: string) => errors.mock.calls.filter((c) => c[0] === code);

async function health(
  app: Edge,
): Promise<{ status: number; body: { status: string; blocklist: BlocklistStatus } }> {
  const res = await visit(app, "/_palisade/v1/health");
  return {
    status: res.status,
    body: (await res.json()) as { status: string; blocklist: BlocklistStatus },
  };
}

function reporter() {
  const reports: { key: string; reason: string }[] = [];
  return {
    reports,
    repair: async (key: string, reason: string) => {
      reports.push({ key, reason });
    },
  };
}

describe("a corrupt KV delta", () => {
  it("is skipped and reported once; the rest is enforced and /health says degraded", async () => {
    await seed(
      env.BLOCKLIST,
      30,
      [decision("ban", "Ip", A)],
      [
        [{ op: "add", d: decision("ban", "Ip", B) }],
        [],
        [{ op: "add", d: decision("ban", "Ip", C) }],
      ],
    );
    await env.BLOCKLIST.put(KV_KEYS.delta(30, 1), '[{"op":"add","d":{"id":');
    const r = reporter();
    const app = edgeApp(probeKv().kv, { BLOCKLIST_REFRESH_MS: "0" }, { repair: r.repair });
    for (const ip of [A, B, C]) expect((await visit(app, "/", { ip })).status, ip).toBe(403);
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(201);
    expect(r.reports.map((x) => x.key)).toEqual([KV_KEYS.delta(30, 1)]);
    expect(r.reports[0]?.reason).toMatch(/JSON|Unexpected|end/i);
    expect(logged("palisade.blocklist.bad_key")).toHaveLength(1);
    expect(logged("palisade.failmode")).toHaveLength(0);
    const h = await health(app);
    expect(h.status).toBe(200);
    expect(h.body.status).toBe("degraded");
    expect(h.body.blocklist.bad_keys.map((k) => k.key)).toEqual([KV_KEYS.delta(30, 1)]);
    // The Ledger's rewrite (a new epoch) clears it.
    await seed(env.BLOCKLIST, 31, [decision("ban", "Ip", A), decision("ban", "Ip", B)]);
    await visit(app, "/", { ip: CLEAN });
    expect((await health(app)).body.status).toBe("ok");
    expect(r.reports).toHaveLength(1);
  });

  it("a corrupt base keeps the previous copy on a refresh, and is the fail mode on a first load", async () => {
    await seed(env.BLOCKLIST, 40, [decision("ban", "Ip", A)]);
    const r = reporter();
    const app = edgeApp(
      probeKv().kv,
      { BLOCKLIST_REFRESH_MS: "0", FAIL_MODE: "closed" },
      { repair: r.repair },
    );
    expect((await visit(app, "/", { ip: A })).status).toBe(403);
    const m = await seed(env.BLOCKLIST, 41, [decision("ban", "Ip", B)], [], 4096);
    await env.BLOCKLIST.put(KV_KEYS.part(41, 0), new Uint8Array(64));
    await visit(app, "/", { ip: CLEAN });
    expect((await visit(app, "/", { ip: A })).status).toBe(403);
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(201);
    expect(r.reports.map((x) => x.key)).toEqual([m.base?.parts[0]?.key]);
    expect((await health(app)).body.status).toBe("degraded");
    // A new isolate has no previous copy: the fail mode (closed: 503), reported too.
    const fresh = reporter();
    const cold = edgeApp(probeKv().kv, { FAIL_MODE: "closed" }, { repair: fresh.repair });
    expect((await visit(cold, "/", { ip: CLEAN })).status).toBe(503);
    expect(fresh.reports.map((x) => x.key)).toEqual([KV_KEYS.part(41, 0)]);
  });

  it("is rewritten by the Ledger: the edge reports it, the next flush compacts, the ban is back", async () => {
    const until = Date.now() + HOUR;
    await flushKv();
    const [r] = await ledger().record([
      {
        ref: `faults:${crypto.randomUUID()}`,
        alert: null,
        decisions: [
          {
            type: "ban",
            scope: "Ip",
            value: C,
            origin: "cscli",
            scenario: "t",
            start: Date.now(),
            until,
          },
        ],
      },
    ]);
    await flushKv();
    const before = (await env.BLOCKLIST.get<Manifest>(KV_KEYS.manifest, "json")) as Manifest;
    const bad = before.deltas[before.deltas.length - 1] as string;
    await env.BLOCKLIST.put(bad, "not json");
    const app = edgeApp(probeKv().kv, { BLOCKLIST_REFRESH_MS: "0" }, { repair: ledgerKvRepair });
    expect((await visit(app, "/", { ip: C })).status).toBe(201);
    expect((await ledgerKvState()).repair).toBe(bad);
    expect(logged("palisade.ledger.kv_repair")[0]?.[1]).toMatchObject({
      key: bad,
      rewriting: true,
    });
    await flushKv();
    const after = (await env.BLOCKLIST.get<Manifest>(KV_KEYS.manifest, "json")) as Manifest;
    expect(after.epoch).toBeGreaterThan(before.epoch);
    expect(after.deltas).toEqual([]);
    expect((await ledgerKvState()).repair).toBeNull();
    await visit(app, "/", { ip: CLEAN });
    expect((await visit(app, "/", { ip: C })).status).toBe(403);
    expect((await health(app)).body.status).toBe("ok");
    // A key no current manifest names is not rewritten.
    expect(await ledger().repairKv(bad, "late report")).toBe(false);
    expect(r?.ids).toHaveLength(1);
  });
});

describe("the staleness bound", () => {
  it("applies the fail mode, and logs it, when refreshes keep failing past BLOCKLIST_STALE_MS", async () => {
    await seed(env.BLOCKLIST, 50, [decision("ban", "Ip", A)]);
    const probe = probeKv();
    let clock = Date.now();
    const app = edgeApp(
      probe.kv,
      { BLOCKLIST_REFRESH_MS: "0", BLOCKLIST_STALE_MS: "60000", FAIL_MODE: "closed" },
      { now: () => clock },
    );
    expect((await visit(app, "/", { ip: A })).status).toBe(403);
    probe.failing = true;
    clock += 30_000;
    // Failing, but within the bound: the last good copy is enforced.
    expect((await visit(app, "/", { ip: A })).status).toBe(403);
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(201);
    clock += 31_000;
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(503);
    expect((await visit(app, "/", { ip: A })).status).toBe(503);
    expect(logged("palisade.blocklist.stale")).toHaveLength(1);
    expect(logged("palisade.failmode")[0]?.[1]).toMatchObject({ mode: "closed", state: "stale" });
    const h = await health(app);
    expect(h.status).toBe(503);
    expect(h.body.blocklist.state).toBe("stale");
    // KV is back: the next refresh ends it.
    probe.failing = false;
    await visit(app, "/", { ip: CLEAN });
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(201);
    expect((await visit(app, "/", { ip: A })).status).toBe(403);
  });

  it("an idle isolate whose refreshes succeed is never stale", async () => {
    await seed(env.BLOCKLIST, 51, [decision("ban", "Ip", A)]);
    let clock = Date.now();
    const app = edgeApp(
      probeKv().kv,
      { BLOCKLIST_STALE_MS: "60000", FAIL_MODE: "closed" },
      { now: () => clock },
    );
    expect((await visit(app, "/", { ip: A })).status).toBe(403);
    clock += 3_600_000;
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(201);
    expect((await visit(app, "/", { ip: A })).status).toBe(403);
  });
});
