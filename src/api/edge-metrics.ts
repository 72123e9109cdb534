import { ledgerOf } from "../durable/ledger/index";
import type { Env } from "../env";

/**
 * Where the edge's per-isolate outcome counts go: the Ledger's `edge` counters, and the
 * stopped visitors' `country:XX` / `asn:N` keys to `edge.country` / `edge.asn`, in one
 * call. The Worker's entry hands it to the enforcer as its metrics sink (`EdgeMetricsSink`).
 */
export async function ledgerEdgeMetrics(counts: Record<string, number>, env: unknown) {
  const e = env as Partial<Env> | undefined;
  if (!e?.LEDGER) return;
  const groups: Record<string, Record<string, number>> = { edge: {} };
  for (const [k, n] of Object.entries(counts)) {
    const colon = k.indexOf(":");
    const metric = colon < 0 ? "edge" : `edge.${k.slice(0, colon)}`;
    const key = colon < 0 ? k : k.slice(colon + 1);
    groups[metric] ??= {};
    (groups[metric] as Record<string, number>)[key] = n;
  }
  await ledgerOf(e as Pick<Env, "LEDGER">).addCountsBy(groups);
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
