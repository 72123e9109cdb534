import { parseDuration } from "../core/duration";
import { type ConsensusParams, DEFAULT_CONSENSUS } from "./consensus/params";

/**
 * The commons' configuration, read from its vars once per isolate (and per Durable
 * Object), one rule per variable. A bad value is a deployment mistake: every request
 * then fails with a message naming the variable, its value, the rule and the fix,
 * instead of the commons running on a guess.
 */

export interface CommonsConfig {
  consensus: ConsensusParams;
  publishMs: number;
  dailySignals: number;
  /**
   * The bound for members not enrolled: registration is open, so a flood of fresh
   * registrations must not fill the commons with reports that never count.
   */
  unenrolledDailySignals: number;
  shards: number;
  /** Members' session length. */
  tokenTtlMs: number;
  /** How long the Publisher keeps deltas (a member pulling within it gets changes only). */
  retentionMs: number;
  /** Entries per part of a base snapshot (memory of a compaction step and of a reader). */
  basePartEntries: number;
  benchSeed: boolean;
}

export class CommonsConfigError extends Error {
  override readonly name = "CommonsConfigError";
}

type Vars = Readonly<Record<string, unknown>>;

const HOUR = 3_600_000;

function int(vars: Vars, name: string, fallback: number, min: number, max: number): number {
  const raw = vars[name];
  if (raw === undefined || raw === "") return fallback;
  const text = String(raw).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new CommonsConfigError(
      `${name}=${JSON.stringify(raw)} is not an integer from ${min} to ${max}. Fix it in wrangler.commons.toml [vars] (or --var ${name}:${fallback}).`,
    );
  return n;
}

function duration(vars: Vars, name: string, fallback: number, min: number, max: number): number {
  const raw = vars[name];
  if (raw === undefined || raw === "") return fallback;
  const ms = parseDuration(String(raw));
  if (ms === undefined || ms < min || ms > max)
    throw new CommonsConfigError(
      `${name}=${JSON.stringify(raw)} is not a duration from ${min / HOUR}h to ${max / HOUR}h (like 168h or 7d). Fix it in wrangler.commons.toml [vars].`,
    );
  return ms;
}

const cache = new WeakMap<object, CommonsConfig>();

export function commonsConfig(env: object): CommonsConfig {
  const vars = env as Vars;
  const hit = cache.get(vars);
  if (hit) return hit;
  const windowMs = duration(
    vars,
    "COMMONS_WINDOW",
    DEFAULT_CONSENSUS.windowMs,
    HOUR,
    90 * 24 * HOUR,
  );
  const halfLifeMs = duration(
    vars,
    "COMMONS_HALF_LIFE",
    DEFAULT_CONSENSUS.halfLifeMs,
    60_000,
    windowMs,
  );
  const config: CommonsConfig = {
    consensus: {
      ...DEFAULT_CONSENSUS,
      minReporters: int(vars, "COMMONS_MIN_REPORTERS", DEFAULT_CONSENSUS.minReporters, 1, 1000),
      windowMs,
      halfLifeMs,
    },
    publishMs: int(vars, "COMMONS_PUBLISH_MS", 10_000, 100, 3_600_000),
    dailySignals: int(vars, "COMMONS_DAILY_SIGNALS", 10_000, 1, 10_000_000),
    unenrolledDailySignals: int(vars, "COMMONS_UNENROLLED_DAILY_SIGNALS", 100, 0, 10_000_000),
    shards: int(vars, "COMMONS_SHARDS", 16, 1, 256),
    tokenTtlMs: 24 * HOUR,
    retentionMs: windowMs + 24 * HOUR,
    basePartEntries: int(vars, "COMMONS_BASE_PART_ENTRIES", 50_000, 100, 500_000),
    benchSeed: vars.COMMONS_BENCH_SEED === "1",
  };
  cache.set(vars, config);
  return config;
}
