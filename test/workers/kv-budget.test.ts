import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Blocklist, DAY_MS } from "../../src/core/blocklist/index";
import { AllowStore } from "../../src/durable/ledger/allowlist";
import { Notifier } from "../../src/durable/ledger/notify";
import { LedgerOps } from "../../src/durable/ledger/ops";
import type { RecordItem } from "../../src/durable/ledger/records";
import { StreamSplit } from "../../src/durable/ledger/stream-split";
import { LedgerUpkeep } from "../../src/durable/ledger/upkeep";
import { readBase, readDelta, readManifestKey } from "../../src/edge/blocklist-load";
import { decisionInput, type LedgerSql, RecordingKv, withLedgerSql } from "./kv-support";

// A simulated day of bans through the Ledger's real upkeep (the alarm and the minute
// cron), KV writer and budget, on its SQLite, with the free plan's default budget of
// 1,000 writes a day: quiet hours, a steady trickle and three attack bursts. Time is
// simulated; every KV write is recorded with its (simulated) time.

const DAY0 = Date.UTC(2026, 10, 27);
const FLUSH_MS = 1_000;
const BAN_MS = 4 * 3_600_000;

/** Ban times over the day: a trickle every ~45 s from 06:00, and bursts of 400 in 10 minutes. */
function banTimes(): number[] {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const times: number[] = [];
  for (
    let t = DAY0 + 6 * 3_600_000;
    t < DAY0 + DAY_MS;
    t += Math.ceil(-Math.log(1 - rand()) * 45_000)
  ) {
    times.push(t);
  }
  for (const hour of [9, 14, 20]) {
    for (let i = 0; i < 400; i++)
      times.push(DAY0 + hour * 3_600_000 + Math.floor(rand() * 600_000));
  }
  return times.sort((a, b) => a - b);
}

const ip = (i: number) => `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

interface DayFigures {
  bans: number;
  writes: number;
  deletes: number;
  compactions: number;
  deltas: number;
  /** ms from a ban to the KV write that carries it. */
  delays: number[];
  unpublished: number;
}

async function simulate(l: LedgerSql, kv: RecordingKv, clock: { t: number }): Promise<DayFigures> {
  let alarmAt: number | null = null;
  const storage = {
    sql: l.sql,
    transactionSync: <T>(fn: () => T) => l.storage.transactionSync(fn),
    getAlarm: async () => alarmAt,
    setAlarm: async (at: number) => {
      alarmAt = at;
    },
  } as unknown as DurableObjectStorage;
  const allow = new AllowStore(l.sql);
  const ops = new LedgerOps(storage, l.store, allow, l.hooks, 64, new StreamSplit(l.sql, l.store));
  const retention = { days: 90, maxAlerts: 1_000_000, maxEndedDecisions: 1_000_000 };
  const notifier = new Notifier(l.sql, env);
  const upkeep = new LedgerUpkeep(storage, l.store, l.writer, ops, FLUSH_MS, notifier, retention);
  const bans = banTimes();
  const waiting: { n: number; at: number }[] = [];
  const delays: number[] = [];
  let b = 0;
  let cron = DAY0 + 60_000;
  // Past midnight too, until what the day queued is out (the next day has its own budget).
  const end = DAY0 + DAY_MS + 3_600_000;
  for (;;) {
    const next = Math.min(
      bans[b] ?? Number.POSITIVE_INFINITY,
      cron,
      alarmAt ?? Number.POSITIVE_INFINITY,
    );
    if (next >= end) break;
    clock.t = next;
    if (next === alarmAt) {
      alarmAt = null;
      await upkeep.alarm(next);
    } else if (next === bans[b]) {
      const item: RecordItem = {
        ref: `ban:${b}`,
        alert: null,
        decisions: [decisionInput("Ip", ip(b), next + BAN_MS)],
      };
      ops.record([item], next);
      const n = Number(l.sql.exec("SELECT MAX(n) AS n FROM kv_pending").one().n);
      waiting.push({ n, at: next });
      b++;
      await upkeep.schedule(next);
    } else {
      await upkeep.housekeeping(next);
      cron += 60_000;
    }
    const first = l.sql.exec<{ n: number | null }>("SELECT MIN(n) AS n FROM kv_pending").one().n;
    while (waiting.length > 0 && (first === null || (waiting[0] as { n: number }).n < first)) {
      delays.push(next - (waiting.shift() as { at: number }).at);
    }
  }
  const inDay = (at: number) => at >= DAY0 && at < DAY0 + DAY_MS;
  const puts = kv.puts.filter((p) => inDay(p.at));
  return {
    bans: bans.length,
    writes: puts.length,
    deletes: l.writer.spend.spentToday("deletes", DAY0),
    compactions: puts.filter((p) => p.key.startsWith("bl:base:")).length,
    deltas: puts.filter((p) => p.key.startsWith("bl:delta:")).length,
    delays,
    unpublished: waiting.length,
  };
}

const q = (xs: number[], f: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))] ?? 0;

describe("the KV write budget", () => {
  it("keeps a simulated day of bans within the free plan's 1,000 writes, and publishes every ban", async () => {
    const kv = new RecordingKv();
    const clock = { t: DAY0 };
    kv.clock = () => clock.t;
    await withLedgerSql(kv, { writesPerDay: 1_000 }, async (l) => {
      const day = await simulate(l, kv, clock);
      console.log(
        `KV budget simulation: ${day.bans} bans in a simulated day, ${day.writes} KV writes (budget 1,000; ${day.deltas} deltas, ${day.compactions} base parts), ${day.deletes} deletes; ban → KV: median ${Math.round(q(day.delays, 0.5) / 1000)} s, p95 ${Math.round(q(day.delays, 0.95) / 1000)} s, max ${Math.round(q(day.delays, 1) / 1000)} s`,
      );
      expect(day.writes).toBeLessThanOrEqual(1_000);
      expect(day.deletes).toBeLessThanOrEqual(1_000);
      // Every ban reached KV: the budget delays writes, it never drops one.
      expect(day.unpublished).toBe(0);
      expect(day.delays).toHaveLength(day.bans);
      // The first ban after the quiet night went out at once; bursts were coalesced.
      expect(day.delays[0]).toBeLessThanOrEqual(FLUSH_MS);
      expect(day.deltas).toBeLessThan(day.bans / 4);
      // And KV holds what the Ledger holds.
      const list = await blocklistOf(kv);
      const live = l.sql
        .exec<{ value: string }>(
          "SELECT value FROM decisions WHERE deleted_seq IS NULL AND until > ?",
          clock.t,
        )
        .toArray();
      expect(live.length).toBeGreaterThan(100);
      for (const { value } of live)
        expect(list.lookup({ ip: value }, clock.t), value).toBeDefined();
      // Beyond them, only decisions whose end is still queued.
      expect(list.size).toBeLessThanOrEqual(live.length + l.writer.pending());
    });
  }, 300_000);
});

async function blocklistOf(kv: RecordingKv): Promise<Blocklist> {
  const m = await readManifestKey(kv.kv);
  const list = m?.base ? await readBase(kv.kv, m.base, {}) : Blocklist.empty();
  for (const key of m?.deltas ?? []) {
    const ops = await readDelta(kv.kv, key);
    if (Array.isArray(ops)) list.apply(ops);
  }
  return list;
}
