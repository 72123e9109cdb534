export { SnapshotAssembler } from "./assemble";
export { Blocklist } from "./blocklist";
export { canonicalEntryValue, canonicalScope, type EdgeScope } from "./canonical";
export { encodeSnapshot, untilSeconds } from "./encode";
export { manifestKeys, readManifest } from "./manifest";
export { readSortKey, sortKeyOf } from "./sort-key";
export { type EncodedPart, SnapshotEncoder } from "./stream-encode";
export { decodeSnapshot, typeRank } from "./tables";
export {
  type BaseLayout,
  type BaseRef,
  type BlocklistOptions,
  type BlocklistQuery,
  type DecisionEntry,
  type DeltaOp,
  KV_KEYS,
  type Manifest,
  type ManifestV1,
  type PartLayout,
  type PartRef,
} from "./types";
export { DAY_MS, utcDay, WriteBudget } from "./write-budget";
