export { Blocklist } from "./blocklist";
export { canonicalEntryValue, canonicalScope, type EdgeScope } from "./canonical";
export { encodeSnapshot, untilSeconds } from "./encode";
export { decodeSnapshot, typeRank } from "./tables";
export {
  type BlocklistOptions,
  type BlocklistQuery,
  type DecisionEntry,
  type DeltaOp,
  KV_KEYS,
  type Manifest,
} from "./types";
