import type { CapiStreamDecision } from "../contract/capi";
import type { CommonsEnv } from "./env";
import { capiDecision, capiDeleted } from "./publication/capi";
import { CommonsSnapshot, join } from "./publication/snapshot";
import { BASE_KEY, type BaseRef, type PullAnswer } from "./publication/types";

/**
 * Reads what the Publisher answered into CrowdSec decisions. A full answer is the KV
 * base (decoded once per isolate and version, then read entry by entry) with the
 * changes since it laid over: entries added since replace the base's, removed ones are
 * skipped.
 */

let cachedBase: { version: number; snapshot: CommonsSnapshot } | undefined;

async function baseSnapshot(env: CommonsEnv, ref: BaseRef): Promise<CommonsSnapshot> {
  if (cachedBase?.version === ref.version) return cachedBase.snapshot;
  const parts: ArrayBuffer[] = [];
  for (let i = 0; i < ref.chunks; i++) {
    const part = await env.COMMONS_LIST.get(BASE_KEY(ref.version, i), "arrayBuffer");
    if (!part) throw new Error(`base snapshot ${BASE_KEY(ref.version, i)} is missing from KV`);
    parts.push(part);
  }
  const snapshot = new CommonsSnapshot(join(parts));
  cachedBase = { version: ref.version, snapshot };
  return snapshot;
}

export async function addedDecisions(
  env: CommonsEnv,
  answer: PullAnswer,
  now: number,
): Promise<Iterable<CapiStreamDecision>> {
  const fresh = answer.adds.filter((e) => e.until > now);
  if (!answer.full || !answer.base) return fresh.map((e) => capiDecision(e, now));
  const snapshot = await baseSnapshot(env, answer.base);
  const skip = new Set<string>(answer.removed);
  for (const e of answer.adds) skip.add(e.key);
  return (function* () {
    for (let pos = 0; pos < snapshot.size; pos++) {
      const e = snapshot.entry(pos);
      if (!skip.has(e.key) && e.until > now) yield capiDecision(e, now);
    }
    for (const e of fresh) yield capiDecision(e, now);
  })();
}

export function deletedDecisions(answer: PullAnswer): CapiStreamDecision[] {
  return answer.dels.map(capiDeleted);
}
