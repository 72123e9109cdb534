import {
  type BaseRef,
  Blocklist,
  type BlocklistOptions,
  type DeltaOp,
  KV_KEYS,
  type Manifest,
  readManifest,
  SnapshotAssembler,
} from "../core/blocklist/index";

/**
 * Reading the KV blocklist (layout: src/core/blocklist/README.md). Two kinds of failure:
 * a key the manifest names that this location cannot see yet, or a KV error, is
 * transient (the caller keeps its last good copy and retries); a key whose bytes cannot
 * be decoded is `BadKey` — retrying will not help, the Ledger has to rewrite it.
 */

/** A key whose content cannot be decoded (corrupt, truncated, not what the manifest says). */
export class BadKey extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${key} cannot be read: ${reason}`);
  }
}

/** Base parts fetched at once: they land in any order and are copied into place as they do. */
const PART_CONCURRENCY = 4;

/** The manifest, or null when nothing was ever written. A manifest that cannot be decoded is a BadKey. */
export async function readManifestKey(kv: KVNamespace): Promise<Manifest | null> {
  const text = await kv.get(KV_KEYS.manifest, "text");
  if (text === null) return null;
  try {
    return readManifest(JSON.parse(text));
  } catch (e) {
    throw new BadKey(KV_KEYS.manifest, message(e));
  }
}

/**
 * The base as one lookup structure: a single part is decoded in place (typed-array views
 * of the bytes KV returned); parts are fetched in parallel and assembled into the one
 * snapshot they were cut from.
 */
export async function readBase(
  kv: KVNamespace,
  base: BaseRef,
  options: BlocklistOptions,
): Promise<Blocklist> {
  if (base.parts.length === 1) {
    const key = (base.parts[0] as { key: string }).key;
    const bytes = await readPart(kv, key);
    try {
      return Blocklist.fromSnapshot(bytes, options);
    } catch (e) {
      throw new BadKey(key, message(e));
    }
  }
  let assembler: SnapshotAssembler;
  try {
    assembler = new SnapshotAssembler(base);
  } catch (e) {
    throw new BadKey(KV_KEYS.manifest, message(e));
  }
  let next = 0;
  const worker = async () => {
    while (next < base.parts.length) {
      const i = next++;
      const key = (base.parts[i] as { key: string }).key;
      const bytes = await readPart(kv, key);
      try {
        assembler.add(i, bytes);
      } catch (e) {
        throw new BadKey(key, message(e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, base.parts.length) }, worker));
  return Blocklist.fromSnapshot(assembler.finish(), options);
}

async function readPart(kv: KVNamespace, key: string): Promise<Uint8Array> {
  const bytes = await kv.get(key, "arrayBuffer");
  if (bytes === null) throw new Error(`${key} is named by the manifest but not visible yet`);
  return new Uint8Array(bytes);
}

/** A delta's operations, or a BadKey for one that is not a JSON list. */
export async function readDelta(kv: KVNamespace, key: string): Promise<DeltaOp[] | BadKey> {
  const text = await kv.get(key, "text");
  if (text === null) throw new Error(`${key} is named by the manifest but not visible yet`);
  let ops: unknown;
  try {
    ops = JSON.parse(text);
  } catch (e) {
    return new BadKey(key, message(e));
  }
  return Array.isArray(ops)
    ? (ops as DeltaOp[])
    : new BadKey(key, "not a list of delta operations");
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
