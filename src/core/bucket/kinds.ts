import type { FieldReport } from "../diagnostic";
import { type Processor, Verdict } from "./processor";
import { queueAdd } from "./state";

/** The parts of a scenario its bucket kind rules on (durations already in ms). */
export interface KindSpec {
  name: string;
  /** As written; undefined when the file has none (CrowdSec then reads 0). */
  capacity: number | undefined;
  /** In ms; undefined when absent, NaN when present but unreadable (already reported). */
  leakspeed: number | undefined;
  duration: number | undefined;
  condition: string | undefined;
}

/**
 * A bucket type (CrowdSec's `bucketTypes`): its own validation, how long an untouched
 * bucket lives, whether the token bucket decides overflows, and the processors it puts
 * first. Code outside this registry never branches on a kind's name.
 */
export interface BucketKind {
  readonly name: string;
  /** True when overflows come from the token bucket (capacity + leakspeed). */
  readonly limited: boolean;
  /** Processors this kind runs before the scenario's optional ones. */
  readonly core: readonly Processor[];
  validate(spec: KindSpec, report: FieldReport): void;
  /** CrowdSec's `Leaky.Duration` in ms, unless the scenario sets `duration`. */
  lifetime(spec: KindSpec): number;
}

function requireLeakspeed(spec: KindSpec, report: FieldReport, what: string): void {
  if (spec.leakspeed === undefined) {
    report(
      "leakspeed",
      "scenario.leakspeed.missing",
      `${what} need a leakspeed, the time for one event to leak out; add e.g. leakspeed: 10s`,
    );
  } else if (spec.leakspeed <= 0) {
    report(
      "leakspeed",
      "scenario.leakspeed.invalid",
      `leakspeed must be longer than zero for ${what}; use e.g. leakspeed: 10s`,
    );
  }
}

const leaky: BucketKind = {
  name: "leaky",
  limited: true,
  core: [],
  validate(spec, report) {
    const c = spec.capacity;
    if (c === undefined || c <= 0) {
      const shown = c === undefined ? "a missing capacity" : `capacity ${c}`;
      report(
        "capacity",
        "scenario.capacity.invalid",
        `${shown} is not allowed for leaky buckets; use a positive number of events, e.g. capacity: 5`,
      );
    }
    requireLeakspeed(spec, report, "leaky buckets");
  },
  lifetime: (spec) => ((spec.capacity ?? 0) + 1) * (spec.leakspeed ?? 0),
};

/** `type: trigger`: every event overflows the bucket at once (CrowdSec's Trigger). */
const triggerProcessor: Processor = {
  name: "trigger",
  onPour(work) {
    const { live, now, event } = work;
    live.first = now;
    live.last = now;
    live.count = 1;
    live.queue = queueAdd(live.queue, event, work.scenario.queueLimit, work.owned);
    work.overflowAt = now;
    return Verdict.Overflow;
  },
};

const trigger: BucketKind = {
  name: "trigger",
  limited: false,
  core: [triggerProcessor],
  validate(spec, report) {
    if (spec.capacity !== undefined && spec.capacity !== 0) {
      report(
        "capacity",
        "scenario.capacity.invalid",
        `capacity ${spec.capacity} is not allowed for trigger buckets, which overflow on every event; remove it or write capacity: 0`,
      );
    }
  },
  lifetime: () => 0,
};

const counter: BucketKind = {
  name: "counter",
  limited: false,
  core: [],
  validate(spec, report) {
    if (spec.capacity !== -1) {
      const shown =
        spec.capacity === undefined ? "a missing capacity" : `capacity ${spec.capacity}`;
      report(
        "capacity",
        "scenario.capacity.invalid",
        `${shown} is not allowed for counter buckets, which never fill up; write capacity: -1`,
      );
    }
    if (spec.duration === undefined || spec.duration <= 0) {
      report(
        "duration",
        "scenario.duration.missing",
        "counter buckets count events for a fixed time and need a positive duration; add e.g. duration: 10m",
      );
    }
  },
  lifetime: (spec) => spec.duration ?? 0,
};

const conditional: BucketKind = {
  name: "conditional",
  limited: false,
  core: [],
  validate(spec, report) {
    if (!spec.condition) {
      report(
        "condition",
        "scenario.condition.missing",
        "conditional buckets overflow when their condition holds; add a condition expression over queue.Queue",
      );
    }
    if (spec.capacity !== -1) {
      report(
        "capacity",
        "scenario.capacity.conditional",
        `capacity ${spec.capacity ?? 0} on a conditional bucket bounds the events its condition sees; CrowdSec expects capacity: -1`,
        "warning",
      );
    }
    requireLeakspeed(spec, report, "conditional buckets");
  },
  lifetime: (spec) => spec.leakspeed ?? 0,
};

/** The bucket kinds Palisade runs, by their `type:` name. */
export const bucketKinds: ReadonlyMap<string, BucketKind> = new Map(
  [leaky, trigger, counter, conditional].map((k) => [k.name, k]),
);
