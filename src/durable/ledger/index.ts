// The Ledger as the Worker's adapters use it: the Durable Object, how to reach it, the
// token hashing it stores machines and bouncers by, and the types of its RPC methods.

export type { PullAuth, PullRequest, PullStart } from "./bouncers";
export type { DecisionFilter } from "./filter";
export { ipKeyOfText } from "./ipkey";
export type { HousekeepingReport, WatcherRef } from "./ledger";
export { Ledger } from "./ledger";
export type { ManualDecision } from "./ops";
export type { AlertQuery } from "./queries";
export type { AlertRecord, BatchCounts, DecisionInput, RecordItem, RecordResult } from "./records";
export type { Page } from "./stream";
export { LEDGER_NAME, ledgerOf } from "./stub";
export { hashToken, sameHash } from "./token";
