import type { CapiStreamDecision } from "../../contract/capi";
import { formatCompactDuration } from "../../contract/duration";
import type { PublishedEntry } from "./types";

/**
 * The list as CrowdSec's decisions stream gives it, in the flat form 1.4.6 accepts:
 * `{"new":[{duration, origin:"CAPI", scenario, scope, type:"ban", value}], "deleted":[…]}`.
 * `duration` is the time left until the listing ends without new reports, whole
 * seconds; the engine stores `until = now + duration` and replaces the decision of the
 * same value when a later pull sends it again.
 */

export function capiDecision(
  e: Pick<PublishedEntry, "key" | "scope" | "scenario" | "until">,
  now: number,
): CapiStreamDecision {
  const left = Math.max(1000, Math.ceil((e.until - now) / 1000) * 1000);
  return {
    duration: formatCompactDuration(left),
    origin: "CAPI",
    scenario: e.scenario,
    scope: e.scope,
    type: "ban",
    value: e.key,
  };
}

export function capiDeleted(d: {
  key: string;
  scope: "Ip" | "Range";
  scenario: string;
}): CapiStreamDecision {
  return {
    duration: "0s",
    origin: "CAPI",
    scenario: d.scenario,
    scope: d.scope,
    type: "ban",
    value: d.key,
  };
}

const BATCH = 2000;

/**
 * The stream's JSON body as text chunks, so that a full list of a million entries is
 * written as it is read instead of being held as one string. `extra` adds top-level
 * fields after the two lists (Palisade's `seq` and `full` for a `since=` pull).
 */
export async function* streamBody(
  added: AsyncIterable<CapiStreamDecision> | Iterable<CapiStreamDecision>,
  deleted: readonly CapiStreamDecision[],
  extra: Readonly<Record<string, unknown>> = {},
): AsyncGenerator<string> {
  yield '{"new":[';
  let batch: string[] = [];
  let first = true;
  for await (const d of added) {
    batch.push(JSON.stringify(d));
    if (batch.length === BATCH) {
      yield (first ? "" : ",") + batch.join(",");
      first = false;
      batch = [];
    }
  }
  if (batch.length > 0) yield (first ? "" : ",") + batch.join(",");
  yield `],"deleted":${JSON.stringify(deleted)}`;
  for (const [k, v] of Object.entries(extra)) yield `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
  yield "}";
}
