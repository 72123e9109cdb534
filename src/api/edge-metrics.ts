import { ledgerOf } from "../durable/ledger/index";
import type { Env } from "../env";

/**
 * Where the edge's per-isolate outcome counts go: the Ledger's `edge` counters. The
 * Worker's entry hands it to the enforcer as its metrics sink (`EdgeMetricsSink`).
 */
export async function ledgerEdgeMetrics(counts: Record<string, number>, env: unknown) {
  const e = env as Partial<Env> | undefined;
  if (!e?.LEDGER) return;
  await ledgerOf(e as Pick<Env, "LEDGER">).addCounts("edge", counts);
}

/**
 * Where the edge reports a KV blocklist key it cannot decode (the enforcer's `repair`
 * option): the Ledger rewrites it with its next compaction.
 */
export async function ledgerKvRepair(key: string, reason: string, env: unknown) {
  const e = env as Partial<Env> | undefined;
  if (!e?.LEDGER) return;
  await ledgerOf(e as Pick<Env, "LEDGER">).repairKv(key, reason);
}
