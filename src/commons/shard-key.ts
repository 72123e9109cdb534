/**
 * Which AddressShard owns a consensus key: FNV-1a of the key's text, modulo the shard
 * count. Stable across isolates and versions; changing COMMONS_SHARDS moves keys between
 * shards, so it is fixed for the life of a commons (README: "Sharding").
 */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}
