export { type BucketKind, bucketKinds, type KindSpec } from "../bucket/kinds";
export { queueLimit, UNBOUNDED_QUEUE_LIMIT } from "./compile";
export { lintScenarios, loadScenarios } from "./load";
export type { RawScenario } from "./schema";
export type {
  CompiledScenario,
  ExprCompiler,
  ScenarioFile,
  ScenarioLoadOptions,
  ScenarioScope,
} from "./types";
