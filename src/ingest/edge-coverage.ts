import type { EdgeDetection } from "../config";
import type { IngestBatch } from "../contract/ingest";
import type { Event } from "../core/event";
import { watchedSource } from "../core/parser/index";

/**
 * Shipped logs and edge-native detection on the same site: each request must be counted
 * once. The edge records every request it passes to the origin, but only the operator
 * knows which shipped access logs are of hosts behind the Worker, so it is a label: a
 * shipped source labelled `edge: "on"` (`source.labels` of its batches) is such a host's,
 * and while EDGE_DETECTION is on ingest leaves its http access events to the edge (its
 * error logs, sshd, mail… still count: the edge cannot see them). With `sample:N` only
 * the sources the edge watches are left to it. Unlabelled sources count whole, as before
 * edge detection existed: a shipper already deployed keeps detecting what it did, and a
 * log of requests that never crossed the edge is never dropped by a guess.
 */

/** The source label that says a shipped access log's requests cross the edge. */
export const EDGE_LABEL = "edge";

/** Which of a batch's events the edge already counts, or undefined when none. */
export function edgeCoverage(
  detection: EdgeDetection,
  batch: IngestBatch,
): ((event: Event) => boolean) | undefined {
  if (!detection.enabled) return undefined;
  if (batch.source.labels?.[EDGE_LABEL]?.toLowerCase() !== "on") return undefined;
  const oneIn = detection.sampleOneIn;
  return (event) =>
    event.Meta.log_type === "http_access-log" && watchedSource(event.Meta.source_ip ?? "", oneIn);
}
