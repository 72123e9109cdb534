export { buildAlert, goTimeString, sourceOf } from "./alert-build";
export { BucketEngine, type EngineOptions, type EngineStats } from "./engine";
export { allow, initialTokens, limitFromLeakspeed, tokensAt } from "./limiter";
export { expiresAt, type PourResult, pour, type TickResult, tick } from "./pour";
export type { OverflowWork, PourWork, Processor } from "./processor";
export { Verdict } from "./processor";
export { DISTINCT_CACHE_LIMIT } from "./processors";
export { bucketKeyOf } from "./route";
export { type BucketState, isBucketState, type LiveBucket, STATE_VERSION } from "./state";
