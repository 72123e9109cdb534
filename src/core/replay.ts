import type { Alert } from "./alert";
import type { Allowlist } from "./allowlist";
import { BucketEngine } from "./bucket/index";
import { MemoryDecisionHistory } from "./decision";
import type { Diagnostic } from "./diagnostic";
import type { LineOrigin } from "./event";
import type { LogParser, ParseOptions } from "./parser/index";
import type { CompiledProfile } from "./profile/index";
import { alertPerSource, type DecisionResult, decide } from "./profile/index";
import type { CompiledScenario } from "./scenario/index";

/**
 * The whole detection pipeline over a stream of log lines: parse → buckets → alerts →
 * profiles → decisions. `palisade replay`, the benchmark and the golden tests all run
 * this; the Durable Objects run the same engine per source IP.
 */
export interface ReplaySetup {
  parser: LogParser;
  parseOptions: ParseOptions;
  scenarios: readonly CompiledScenario[];
  profiles: readonly CompiledProfile[];
  allowlist: Allowlist;
}

export interface ReplayStats {
  read: number;
  parsed: number;
  unparsed: number;
  alerts: number;
  decisions: number;
  allowlisted: number;
  /** Filter/groupby expressions that failed at run time (counted, treated as false). */
  exprErrors: number;
}

/** An alert and what the profiles decided; the alert's event sample is dropped to bound memory. */
export interface ReplayOutcome {
  alert: Alert;
  result: DecisionResult;
}

export class Replay {
  private readonly engine: BucketEngine;
  private readonly history = new MemoryDecisionHistory();
  private readonly out: ReplayOutcome[] = [];
  readonly warnings: Diagnostic[] = [];
  private readonly counts = { read: 0, parsed: 0, unparsed: 0, decisions: 0, allowlisted: 0 };

  constructor(private readonly setup: ReplaySetup) {
    this.engine = new BucketEngine(setup.scenarios);
  }

  /** Feeds one raw line; never throws on its content. */
  line(raw: string, origin: LineOrigin): void {
    this.counts.read++;
    const evt = this.setup.parser.parse(raw, origin, this.setup.parseOptions);
    if (!evt) {
      this.counts.unparsed++;
      return;
    }
    this.counts.parsed++;
    const alerts = this.engine.process(evt);
    for (let i = 0; i < alerts.length; i++) this.alert(alerts[i] as Alert);
  }

  /**
   * Decides on an alert as it comes: input is in time order, so the decision history
   * (escalation for repeat offenders) grows in time order too.
   */
  private alert(alert: Alert): void {
    for (const one of alertPerSource(alert)) {
      const result = decide(one, this.setup.profiles, {
        history: this.history,
        allowlist: this.setup.allowlist,
        now: one.stop_at,
      });
      this.history.record(result.decisions);
      this.warnings.push(...result.warnings);
      if (result.allowlisted) this.counts.allowlisted++;
      this.counts.decisions += result.decisions.length;
      this.out.push({ alert: { ...one, events: [] }, result });
    }
  }

  /** Outcomes ordered by the alert's `stop_at` (stable for equal times). */
  results(): ReplayOutcome[] {
    return this.out
      .map((o, i) => ({ o, i }))
      .sort((a, b) => a.o.alert.stop_at - b.o.alert.stop_at || a.i - b.i)
      .map((x) => x.o);
  }

  get stats(): ReplayStats {
    return { ...this.counts, alerts: this.out.length, exprErrors: this.engine.stats.exprErrors };
  }

  get liveBuckets(): number {
    return this.engine.liveBuckets;
  }
}
