import type { CommonsEnv } from "../env";
import { shardOf } from "../shard-key";

/** How the Worker and the objects reach each other (one name per object). */

export function registryOf(env: Pick<CommonsEnv, "REGISTRY">) {
  return env.REGISTRY.getByName("registry");
}

export function publisherOf(env: Pick<CommonsEnv, "PUBLISHER">) {
  return env.PUBLISHER.getByName("publisher");
}

export function shardAt(env: Pick<CommonsEnv, "SHARDS">, index: number) {
  return env.SHARDS.getByName(`shard-${index}`);
}

/** The shard that owns a consensus key, and its index. */
export function shardFor(env: Pick<CommonsEnv, "SHARDS">, key: string, shards: number) {
  const index = shardOf(key, shards);
  return { index, stub: shardAt(env, index) };
}
