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
