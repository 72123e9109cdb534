// The SourceTracker as the Worker's adapters use it: the Durable Object, how to reach the
// one of a source, and what ingest hands it (RPC and queue messages).
export { type BundleSource, type DetectionPack, detectionPack, packAt } from "../pack";
export type { DecisionBrief, PourRequest, PourSummary, RoutedEvent } from "./messages";
export { groupSourceOf, sourceKeyOf } from "./source-key";
export { SourceTracker } from "./source-tracker";
export { trackerOf } from "./stub";
