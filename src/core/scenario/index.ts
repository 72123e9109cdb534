export { queueLimit, UNBOUNDED_QUEUE_LIMIT } from "./compile";
export { type BucketKind, bucketKinds, type KindSpec } from "./kind";
export { lintScenarios, loadScenarios } from "./load";
export type { RawScenario } from "./schema";
export type {
  CompiledScenario,
  ExprCompiler,
  ScenarioFile,
  ScenarioLoadOptions,
  ScenarioScope,
} from "./types";
