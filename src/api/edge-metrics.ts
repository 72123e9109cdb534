import { ledgerOf } from "../durable/stubs";
import type { EdgeMetricsSink } from "../edge/outcome-counter";
import type { Env } from "../env";

/** Where the edge's per-isolate outcome counts go: the Ledger's `edge` counters. */
export const ledgerEdgeMetrics: EdgeMetricsSink = async (counts, env) => {
  const e = env as Partial<Env> | undefined;
  if (!e?.LEDGER) return;
  await ledgerOf(e as Pick<Env, "LEDGER">).addCounts("edge", counts);
};
