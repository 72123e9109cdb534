import type { CapiStreamDecision } from "../contract/capi";
import type { CommonsEnv } from "./env";
import { capiDecision, capiDeleted } from "./publication/capi";
import { CommonsSnapshot } from "./publication/snapshot";
import { BASE_KEY, type BaseRef, type PullAnswer } from "./publication/types";

/**
 * Reads what the Publisher answered into CrowdSec decisions. A full answer is the KV
 * base, read part after part and entry by entry (a million entries never sit in memory
 * at once), with the changes since it laid over: entries added since replace the base's,
 * removed ones are skipped.
 */

async function basePart(env: CommonsEnv, ref: BaseRef, part: number): Promise<CommonsSnapshot> {
  const bytes = await env.COMMONS_LIST.get(BASE_KEY(ref.version, part), "arrayBuffer");
  if (!bytes)
    throw new Error(`base snapshot part ${BASE_KEY(ref.version, part)} is missing from KV`);
  return new CommonsSnapshot(new Uint8Array(bytes));
}

export async function addedDecisions(
  env: CommonsEnv,
  answer: PullAnswer,
  now: number,
): Promise<AsyncIterable<CapiStreamDecision> | Iterable<CapiStreamDecision>> {
  const fresh = answer.adds.filter((e) => e.until > now);
  if (!answer.full || !answer.base) return fresh.map((e) => capiDecision(e, now));
  const base = answer.base;
  const skip = new Set<string>(answer.removed);
  for (const e of answer.adds) skip.add(e.key);
  return (async function* () {
    for (let part = 0; part < base.chunks; part++) {
      const snapshot = await basePart(env, base, part);
      for (let pos = 0; pos < snapshot.size; pos++) {
        const e = snapshot.entry(pos);
        if (!skip.has(e.key) && e.until > now) yield capiDecision(e, now);
      }
    }
    for (const e of fresh) yield capiDecision(e, now);
  })();
}

export function deletedDecisions(answer: PullAnswer): CapiStreamDecision[] {
  return answer.dels.map(capiDeleted);
}
