import { SAFELIST_SOURCES } from "./data/safelist.gen";
import { registryOf } from "./durable/stubs";
import type { CommonsEnv } from "./env";
import { compileSafeList, type SafeList } from "./policy/safelist";

/**
 * Each isolate's compiled safe list (the embedded defaults plus the operator's changes,
 * indexed for O(log n) lookups), rebuilt when the Registry's safe-list version moves:
 * every Registry answer on the signal path carries that version, so a change reaches the
 * next batch of signals without a read per request.
 */

let cached: { version: number; list: SafeList } | undefined;

export async function safeListAt(env: CommonsEnv, version?: number): Promise<SafeList> {
  if (cached && (version === undefined || cached.version === version)) return cached.list;
  const state = await registryOf(env).safeList();
  cached = { version: state.version, list: compileSafeList(SAFELIST_SOURCES, state.changes) };
  return cached.list;
}

/** The list the isolate holds now (for a quick classification before the Registry answers). */
export async function currentSafeList(env: CommonsEnv): Promise<SafeList> {
  return cached?.list ?? safeListAt(env);
}
