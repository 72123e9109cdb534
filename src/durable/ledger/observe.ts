import type { Metrics } from "../../contract/admin-access";
import type { NotifyChannelState, Observation } from "../../contract/observation";
import { counters } from "./counters";
import type { KvState } from "./kv-writer";

const DAY_MS = 24 * 3_600_000;

/** The Ledger's side of the Prometheus metrics (see contract/observation.ts). */
export function observation(
  sql: SqlStorage,
  metrics: Metrics,
  kv: KvState & { pending: number },
  now: number,
): Observation {
  const rows = counters(sql, ["kv.writes", "kv.deletes", "ingest.queued"]);
  const total = (m: string) => rows.filter((r) => r.metric === m).reduce((n, r) => n + r.n, 0);
  const day = now - (now % DAY_MS);
  const today = (m: string) =>
    Number(
      sql
        .exec<{ n: number | null }>(
          "SELECT SUM(n) AS n FROM series WHERE metric = ? AND at >= ?",
          m,
          day,
        )
        .one().n ?? 0,
    );
  return {
    metrics,
    kv: {
      writes: total("kv.writes"),
      deletes: total("kv.deletes"),
      writesToday: today("kv.writes"),
      deletesToday: today("kv.deletes"),
      pending: kv.pending,
      deltas: kv.deltas.length,
    },
    ingestQueued: rows
      .filter((r) => r.metric === "ingest.queued")
      .map((r) => ({ machine: r.a, type: r.b, count: r.n })),
    sessions: Number(
      sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM console_sessions WHERE expires > ?", now)
        .one().n,
    ),
    notifications: notifyStates(sql),
  };
}

function notifyStates(sql: SqlStorage): NotifyChannelState[] {
  const rows = counters(sql, [
    "notify.sent",
    "notify.alerts",
    "notify.suppressed",
    "notify.failed",
    "notify.dead",
  ]);
  const by = new Map<string, NotifyChannelState>();
  const of = (channel: string) => {
    let s = by.get(channel);
    if (!s) {
      s = { channel, pending: 0, sent: 0, alerts: 0, suppressed: 0, failed: 0, dead: 0 };
      by.set(channel, s);
    }
    return s;
  };
  for (const r of rows) {
    const field = r.metric.slice("notify.".length) as
      | "sent"
      | "alerts"
      | "suppressed"
      | "failed"
      | "dead";
    of(r.a)[field] += r.n;
  }
  for (const r of sql
    .exec<{ channel: string; n: number }>(
      "SELECT channel, COUNT(*) AS n FROM notify_pending GROUP BY channel",
    )
    .toArray()) {
    of(r.channel).pending = Number(r.n);
  }
  return [...by.values()].sort((a, b) => a.channel.localeCompare(b.channel));
}
