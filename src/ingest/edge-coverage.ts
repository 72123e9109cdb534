import type { EdgeDetection } from "../config";
import type { IngestBatch } from "../contract/ingest";
import type { Event } from "../core/event";
import { watchedSource } from "../core/parser/index";

/**
 * Shipped logs and edge-native detection on the same site: each request must be counted
 * once. While EDGE_DETECTION is on, the edge records every request it passes to the
 * origin, so ingest leaves to it the http access events of a shipped batch (the error
 * logs, sshd, mail… still count: the edge cannot see them). With `sample:N` only the
 * sources the edge watches are left to it; the others' access lines still count.
 *
 * A shipped source for a host the Worker does not front (its requests never cross the
 * edge) says so with the label `edge: "off"` (`source.labels` of its batches): its access
 * lines are all counted.
 */

/** The source label that keeps a shipped source's access lines counted. */
export const EDGE_LABEL = "edge";

/** Which of a batch's events the edge already counts, or undefined when none. */
export function edgeCoverage(
  detection: EdgeDetection,
  batch: IngestBatch,
): ((event: Event) => boolean) | undefined {
  if (!detection.enabled) return undefined;
  if (batch.source.labels?.[EDGE_LABEL]?.toLowerCase() === "off") return undefined;
  const oneIn = detection.sampleOneIn;
  return (event) =>
    event.Meta.log_type === "http_access-log" && watchedSource(event.Meta.source_ip ?? "", oneIn);
}
