import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ingestResponseSchema } from "../../src/contract/ingest";
import { KV_KEYS } from "../../src/core/blocklist/index";
import type { Env } from "../../src/env";
import {
  batch,
  blocklistFromKv,
  flushKv,
  ledger,
  ledgerChanges,
  log4shellLine,
  postIngest,
  probingLines,
  tracker,
  trackerView,
} from "./ingest-support";

const HOUR = 3_600_000;
const now = Date.now();

async function ingest(lines: string[]) {
  const res = await postIngest(batch(lines));
  expect(res.status).toBe(200);
  return ingestResponseSchema.parse(await res.json());
}

async function decisionsOf(value: string) {
  const { added } = await ledgerChanges(0);
  return added.filter((d) => d.value === value);
}

describe("overflow → decision → Ledger → KV", () => {
  it("bans a Log4Shell probe: the Ledger records it and the flush writes it to KV", async () => {
    const ip = "203.0.113.7";
    const res = await ingest([log4shellLine(ip, now)]);
    expect(res).toMatchObject({ forwarded: 1, alerts: 1, decisions: 1 });
    const [d] = await decisionsOf(ip);
    expect(d).toMatchObject({ type: "ban", scope: "Ip", origin: "palisade" });
    expect(d?.scenario).toBe("palisade/cve-2021-44228-log4shell");
    expect((d?.until ?? 0) - (d?.start ?? 0)).toBe(4 * HOUR);
    const view = await trackerView(ip);
    expect(view).toMatchObject({ outbox: 0 });
    expect(view.decisions.map((x) => x.ledger_id)).toEqual([d?.id]);
    await flushKv();
    const manifest = await env.BLOCKLIST.get<{ deltas: string[] }>(KV_KEYS.manifest, "json");
    expect(manifest?.deltas.length).toBeGreaterThan(0);
    const hit = (await blocklistFromKv()).lookup({ ip }, Date.now());
    expect(hit).toMatchObject({ type: "ban", id: d?.id });
    expect((await blocklistFromKv()).lookup({ ip: "203.0.113.8" }, Date.now())).toBeUndefined();
  });

  it("escalates a second offence with the tracker's own history", async () => {
    const ip = "203.0.113.12";
    await ingest([log4shellLine(ip, now)]);
    // After the scenario's 5 min blackhole, the same probe again.
    await ingest([log4shellLine(ip, now + 6 * 60_000)]);
    const durations = (await decisionsOf(ip)).map((d) => d.until - d.start);
    expect(durations).toEqual([4 * HOUR, 8 * HOUR]);
  });

  it("gives a web prober a captcha first, a ban the second time", async () => {
    const ip = "203.0.113.13";
    await ingest(probingLines(ip, now));
    await ingest(probingLines(ip, now + 10 * 60_000));
    const types = (await decisionsOf(ip)).map((d) => d.type);
    expect(types).toEqual(["captcha", "ban"]);
  });

  it("never decides on an allowlisted (private) source, but keeps its alert", async () => {
    const ip = "192.168.1.50";
    const res = await ingest([log4shellLine(ip, now)]);
    expect(res).toMatchObject({ alerts: 1, decisions: 0 });
    expect(await decisionsOf(ip)).toEqual([]);
    const alerts = await runInDurableObject(ledger(), (_, state) =>
      state.storage.sql
        .exec<{ allowlisted: number }>("SELECT allowlisted FROM alerts WHERE value = ?", ip)
        .toArray(),
    );
    expect(alerts).toEqual([{ allowlisted: 1 }]);
  });
});

describe("expiry", () => {
  it("the tracker alarm expires a decision: deleted in the Ledger, a del delta in KV", async () => {
    const ip = "203.0.113.20";
    await ingest([log4shellLine(ip, now)]);
    await flushKv();
    expect((await blocklistFromKv()).lookup({ ip }, Date.now())?.type).toBe("ban");
    const [d] = await decisionsOf(ip);
    // Make the decision due now rather than in 4 h.
    await runInDurableObject(tracker(ip), (_, state) => {
      state.storage.sql.exec("UPDATE decisions SET until = ?", Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(tracker(ip))).toBe(true);
    expect((await trackerView(ip)).decisions).toEqual([]);
    const row = await ledger().decision(d?.id ?? -1);
    expect(row?.deleted_seq).toBeGreaterThan(row?.seq ?? Number.POSITIVE_INFINITY);
    const { deleted } = await ledgerChanges(row?.seq ?? 0);
    expect(deleted.map((x) => x.id)).toContain(d?.id);
    await flushKv();
    // The ledger's own until is still hours away: only the del delta removes it.
    expect((await blocklistFromKv()).lookup({ ip }, Date.now())).toBeUndefined();
  });

  it("arms one alarm at the earliest bucket deadline and forgets idle buckets", async () => {
    const ip = "203.0.113.21";
    await ingest(probingLines(ip, now).slice(0, 3));
    const { alarm, expected } = await runInDurableObject(tracker(ip), async (_, state) => {
      const sql = state.storage.sql;
      const meta = (k: string) =>
        Number(sql.exec("SELECT value FROM meta WHERE key = ?", k).one().value);
      const first = Number(sql.exec("SELECT MIN(expires) AS m FROM buckets").one().m);
      return {
        alarm: await state.storage.getAlarm(),
        expected: meta("wall_clock") + (first - meta("log_clock")),
      };
    });
    expect(alarm).toBe(expected);
    expect((await trackerView(ip)).buckets).toBeGreaterThan(0);
    // Early: nothing is due, the buckets stay and the alarm is re-armed.
    await runDurableObjectAlarm(tracker(ip));
    expect((await trackerView(ip)).buckets).toBeGreaterThan(0);
    expect((await trackerView(ip)).alarm).toBe(expected);
    // As if the last event had been seen an hour ago: every bucket has leaked out.
    await runInDurableObject(tracker(ip), (_, state) => {
      state.storage.sql.exec("UPDATE meta SET value = value - ? WHERE key = 'wall_clock'", HOUR);
    });
    await runDurableObjectAlarm(tracker(ip));
    expect(await trackerView(ip)).toMatchObject({ buckets: 0, alarm: null });
  });

  it("an alarm deletes rows it cannot tick instead of looping on them", async () => {
    const ip = "203.0.113.22";
    await ingest(probingLines(ip, now).slice(0, 2));
    await runInDurableObject(tracker(ip), (_, state) => {
      const sql = state.storage.sql;
      sql.exec("DELETE FROM buckets");
      const insert = "INSERT INTO buckets (scenario, key, state, expires) VALUES (?, ?, ?, 0)";
      sql.exec(insert, "palisade/http-flood", ip, "{not json");
      sql.exec(insert, "palisade/no-such-scenario", ip, '{"v":1}');
      sql.exec(insert, "palisade/http-probing", ip, '{"v":99}');
    });
    expect(await runDurableObjectAlarm(tracker(ip))).toBe(true);
    expect(await trackerView(ip)).toMatchObject({ buckets: 0, alarm: null });
  });
});

describe("an unreachable Ledger", () => {
  it("keeps alerts and decisions in the tracker's outbox and delivers them on a later alarm", async () => {
    const ip = "203.0.113.30";
    const down = {
      idFromName: (name: string) => env.LEDGER.idFromName(name),
      get: () => ({
        record: async () => {
          throw new Error("ledger down");
        },
      }),
    };
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    // The tracker's instance sees a Ledger that fails.
    await runInDurableObject(tracker(ip), (instance) => {
      (instance as unknown as { env: Env }).env = { ...env, LEDGER: down } as unknown as Env;
    });
    const res = await ingest([log4shellLine(ip, now)]);
    expect(res).toMatchObject({ alerts: 1, decisions: 1 });
    expect(await decisionsOf(ip)).toEqual([]);
    const view = await trackerView(ip);
    expect(view.outbox).toBe(1);
    expect(view.decisions[0]?.ledger_id).toBeNull();
    expect(errors.mock.calls.flat().join(" ")).toContain("palisade.tracker.ledger_unreachable");
    // A retry is armed, not a tight loop: at least the minimum backoff away.
    expect(view.alarm ?? 0).toBeGreaterThanOrEqual(Date.now() + 1_000);
    await runInDurableObject(tracker(ip), (instance) => {
      (instance as unknown as { env: Env }).env = env;
    });
    await runDurableObjectAlarm(tracker(ip));
    expect(await trackerView(ip)).toMatchObject({ outbox: 0 });
    const [d] = await decisionsOf(ip);
    expect(d?.type).toBe("ban");
    expect((await trackerView(ip)).decisions[0]?.ledger_id).toBe(d?.id);
    errors.mockRestore();
  });
});
