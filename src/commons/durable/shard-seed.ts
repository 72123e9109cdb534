import type { ConsensusStore } from "../consensus/engine";
import { scopeOf } from "../consensus/engine";

/**
 * Bench only: listings made without reports (`npm run bench:commons` seeds 100k and 1M
 * listed keys this way, since reaching a million through consensus would take three
 * million signals). The Worker refuses the route unless COMMONS_BENCH_SEED=1.
 */
export function seedListings(store: ConsensusStore, keys: readonly string[], now: number): number {
  const until = now + 7 * 86_400_000;
  for (const key of keys) {
    const scope = scopeOf(key);
    store.putListing({
      key,
      scope,
      scenario: "crowdsecurity/ssh-bf",
      listedAt: now,
      until,
      publishedUntil: until,
      reviewAt: until,
      score: 3,
      reporters: 3,
    });
    store.emit({ op: "add", key, scope, scenario: "crowdsecurity/ssh-bf", until });
  }
  return keys.length;
}
