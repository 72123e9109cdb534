// The guard index: which scenarios an event may match, from their filters' guards
// (src/core/expr/guard), without running the filters. README.md in src/core/bucket.
export { GuardIndex } from "./scenario-index";
