import type { DecisionBrief, PourRequest } from "../durable/tracker/index";
import { trackerOf } from "../durable/tracker/index";
import type { Env } from "../env";

/** Simultaneous RPCs: Workers allow six open connections per invocation. */
const CONCURRENCY = 6;

export interface PourTotals {
  calls: number;
  alerts: number;
  decisions: number;
  duplicates: number;
  /** The decisions the trackers made (what the edge learns at once: edge-feed.ts). */
  decided: DecisionBrief[];
}

/**
 * Makes the pour RPCs, one source's requests after the other (their events are in log
 * order), several sources at a time. Throws the first failure after every call settled:
 * the caller fails the batch, whose retry is safe (each tracker applies an id once).
 */
export async function pourAll(env: Env, units: readonly PourRequest[][]): Promise<PourTotals> {
  const totals: PourTotals = { calls: 0, alerts: 0, decisions: 0, duplicates: 0, decided: [] };
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < units.length) {
      const unit = units[next++] as PourRequest[];
      try {
        for (const req of unit) {
          totals.calls++;
          const r = await trackerOf(env, req.source).pour(req);
          totals.alerts += r.alerts;
          totals.decisions += r.decisions.length;
          for (const d of r.decisions) totals.decided.push(d);
          if (r.duplicate) totals.duplicates++;
        }
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, units.length) }, worker));
  if (failure !== undefined) throw failure;
  return totals;
}

/** One `sendBatch` per list of encoded messages. */
export async function sendAll(queue: Queue, sends: readonly Uint8Array[][]): Promise<void> {
  for (const messages of sends) {
    await queue.sendBatch(messages.map((body) => ({ body, contentType: "bytes" as const })));
  }
}
