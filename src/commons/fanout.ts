import { commonsConfig } from "./config";
import type { AddressShard } from "./durable/shard";
import { shardAt } from "./durable/stubs";
import type { CommonsEnv } from "./env";

/**
 * One call to every shard, in parallel: COMMONS_SHARDS subrequests (keep it within the
 * plan's subrequest limit: 50 on the free plan). Only operator actions fan out
 * (revoking a member, changing the safe list); members' requests reach one shard per
 * address they name.
 */
export async function everyShard<T>(
  env: CommonsEnv,
  call: (shard: DurableObjectStub<AddressShard>, index: number) => Promise<T>,
): Promise<T[]> {
  const n = commonsConfig(env).shards;
  return Promise.all(Array.from({ length: n }, (_, i) => call(shardAt(env, i), i)));
}
