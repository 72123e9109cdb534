import type { BucketKind } from "../bucket/kinds";
import type { Processor } from "../bucket/processor";
import type { DataStore } from "../data";
import type { Result } from "../diagnostic";
import type { CompiledExpr, ExprOptions } from "../expr/index";

/** Compiles one expression; `compileExpr` from src/core/expr unless a caller substitutes it. */
export type ExprCompiler = (source: string, options: ExprOptions) => Result<CompiledExpr>;

export interface ScenarioFile {
  /** Shown in diagnostics; the CLI passes the path the user gave. */
  path: string;
  text: string;
}

export interface ScenarioLoadOptions {
  /** Where files named under `data:` are looked up (the CLI's `--data DIR`). */
  data?: DataStore;
  /** Expression compiler; defaults to src/core/expr's `compileExpr`. */
  compile?: ExprCompiler;
  /** Per-run step budget handed to every compiled expression. */
  stepBudget?: number;
}

/** Who an overflow is about: CrowdSec's `scope` block (`type` + `expression`). */
export interface ScenarioScope {
  /** `Ip` (default), `Range`, or a custom scope such as `username`. */
  type: string;
  expression?: CompiledExpr;
}

/**
 * A scenario compiled once at load time: expressions compiled, durations in ms, data
 * files resolved, and the chain of processors its bucket kind and options call for.
 */
export interface CompiledScenario {
  name: string;
  description: string;
  /** Where it came from: file path and document index. */
  file: string;
  index: number;
  kind: BucketKind;
  filter: CompiledExpr;
  groupby?: CompiledExpr;
  /** CrowdSec's capacity: burst for leaky, 0 for trigger, -1 for counter/conditional. */
  capacity: number;
  /** Leak interval in ms (0 when the scenario has none). */
  leakspeed: number;
  /** Tokens per second that come back (Go's `rate.Every(leakspeed)`); 0 when unlimited. */
  limit: number;
  /** CrowdSec's `duration` in ms: a timed overflow at first event + duration (0 = none). */
  duration: number;
  /** How long an untouched bucket lives before it is dropped (CrowdSec's `Leaky.Duration`). */
  lifetime: number;
  /** Blackhole in ms (0 = none). */
  blackhole: number;
  /** Events kept in the queue beyond the newest one (CrowdSec's queue size `L`). */
  queueLimit: number;
  scope: ScenarioScope;
  labels: Record<string, unknown>;
  /** CrowdSec's `Alert.Remediation`: `labels.remediation` is the boolean true. */
  remediation: boolean;
  reprocess: boolean;
  /** Hooks run on every pour and overflow, in CrowdSec's order. */
  processors: readonly Processor[];
  /**
   * An expression run while pouring (distinct, cancel_on, condition, …) may modify the
   * event (`evt.SetMeta`): an engine must then drop values it derived from the event.
   * Absent: none does (hand-built processors must not modify events either).
   */
  effects?: boolean;
  version?: string;
}
