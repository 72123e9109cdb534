import { type DurationBound, durationCeiling, formatDuration } from "./core/duration";
import { DEFAULT_IPV6_PREFIX, MIN_IPV6_PREFIX } from "./core/ip";
import type { Env } from "./env";

/**
 * The Worker's settings: its vars and secrets (wrangler.toml `[vars]`, `.dev.vars`,
 * `wrangler secret put`) read once per isolate, one rule per variable, for the edge,
 * ingest and both Durable Objects alike. Every variable is checked on the first read
 * (the isolate's start: `src/worker.ts` reads it as the module loads); a value that
 * breaks its rule is logged once (`palisade.config.invalid`, naming the variable, the
 * value, the rule and the fix) and its default is used, so a typo never takes the site
 * down.
 */

export type ConfigVars = Pick<
  Env,
  | "ORIGIN_URL"
  | "FAIL_MODE"
  | "TURNSTILE_SITEKEY"
  | "TURNSTILE_SECRET"
  | "TURNSTILE_VERIFY_URL"
  | "BLOCKLIST_REFRESH_MS"
  | "IPV6_PREFIX"
  | "CLEARANCE_TTL_S"
  | "CLEARANCE_KEY"
  | "PALISADE_ADMIN_TOKEN"
  | "SUBREQUEST_BUDGET"
  | "MAX_INGEST_BYTES"
  | "KV_FLUSH_MS"
  | "MAX_DECISION_DURATION"
  | "PALISADE_ENV"
  | "PALISADE_MACHINE_TOKEN"
  | "QUEUE_RETRY_S"
  | "RETENTION_DAYS"
  | "RETENTION_MAX_ALERTS"
  | "RETENTION_MAX_ENDED_DECISIONS"
  | "KV_WRITE_BUDGET"
  | "BLOCKLIST_PART_BYTES"
  | "BLOCKLIST_STALE_MS"
  | "COMMONS_PUSH_MS"
  | "COMMONS_PULL_MS"
  | "EDGE_DETECTION"
>;

/** Vars set on top of the env's; `undefined` unsets one (e.g. ORIGIN_URL for the route's origin). */
export type VarOverrides = { [K in keyof ConfigVars]?: ConfigVars[K] | undefined };

export interface WorkerConfig {
  /** Where clean visitors go; undefined: the route's own origin (`fetch(request)`). */
  originUrl: URL | undefined;
  /** What happens when the blocklist cannot be loaded at all: let visitors through or answer 503. */
  failMode: "open" | "closed";
  turnstileSitekey: string | undefined;
  turnstileSecret: string | undefined;
  turnstileVerifyUrl: string;
  /** How often an isolate reloads the blocklist's manifest from KV. */
  refreshMs: number;
  /**
   * The IPv6 network a source is: the SourceTracker it belongs to, the default of the
   * profiles' `ipv6_prefix` (what a decision covers), the blocklist and clearance keys.
   */
  ipv6Prefix: number;
  clearanceTtlS: number;
  /** HMAC key material for the clearance cookie, and where it came from. */
  clearanceKey: { secret: string; source: "CLEARANCE_KEY" | "PALISADE_ADMIN_TOKEN" } | undefined;
  /** Subrequests one ingest invocation may make (Durable Object RPCs, Ledger calls, queue sends). */
  subrequestBudget: number;
  /** Largest ingest body, compressed or not. */
  maxIngestBytes: number;
  /** Shortest time between two blocklist writes to KV by the Ledger. */
  kvFlushMs: number;
  /**
   * The longest decision or allowlist entry (MAX_DECISION_DURATION, a Go duration;
   * default 8760h, never past Go's maximum): the one bound the admin and watcher APIs,
   * the Ledger and the profiles' durations are held to.
   */
  maxDecision: DurationBound;
  /** How often the Ledger pushes alerts to the commons as signals (a member of one). */
  commonsPushMs: number;
  /** How often the Ledger pulls the community list from the commons. */
  commonsPullMs: number;
  /** PALISADE_ENV=local: a developer's machine (`wrangler dev`, tests). Anything else is production. */
  local: boolean;
  /**
   * Settings that must never reach production: the example secrets of .dev.vars.example
   * (`…-change-me`, public in the repository) and Cloudflare's Turnstile test keys
   * (always pass or always fail). Outside `local`, the Worker refuses to serve while
   * any is set (app.ts).
   */
  unsafe: readonly UnsafeSetting[];
  /** First wait before a failed ingest queue message is delivered again (doubling, ≤ 5 min). */
  queueRetryS: number;
  /** The Ledger's retention: alerts and ended decisions older than this go (cron). */
  retentionDays: number;
  /** At most this many alerts and ended decisions are kept (the oldest go first). */
  retentionMaxAlerts: number;
  retentionMaxEndedDecisions: number;
  /**
   * KV writes (and, apart, deletes) the Ledger may spend a UTC day: the free plan's 1,000
   * by default. What the budget cannot pay for yet waits, queued (core/blocklist/write-budget.ts).
   */
  kvWriteBudget: number;
  /** The largest KV value of a base snapshot; a larger base is split over several keys. */
  blocklistPartBytes: number;
  /**
   * After an isolate's first load, how long its copy of the blocklist may go without a
   * successful refresh (while refreshes fail) before the fail mode applies.
   */
  blocklistStaleMs: number;
  /**
   * Edge-native detection (EDGE_DETECTION): whether the Worker turns the requests it
   * passes to the origin into access-log events for the scenarios, and for one source
   * in how many (`sample:N` watches the sources whose address hashes into 1/N; 1: all).
   */
  edgeDetection: EdgeDetection;
}

export interface EdgeDetection {
  enabled: boolean;
  /** 1: every source; N: one source in N (by address hash), all of its requests. */
  sampleOneIn: number;
}

export interface UnsafeSetting {
  /** The variable. */
  name: string;
  /** What is wrong with it and how to fix it (never its value). */
  why: string;
}

const DEFAULT_VERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
/** Fewest subrequests ingest works with (see ingest/budget.ts `messageItems`). */
export const MIN_SUBREQUEST_BUDGET = 10;

interface IntegerRule {
  min: number;
  max: number;
  fallback: number;
}

type IntegerVar =
  | "BLOCKLIST_REFRESH_MS"
  | "IPV6_PREFIX"
  | "CLEARANCE_TTL_S"
  | "SUBREQUEST_BUDGET"
  | "MAX_INGEST_BYTES"
  | "KV_FLUSH_MS"
  | "QUEUE_RETRY_S"
  | "RETENTION_DAYS"
  | "RETENTION_MAX_ALERTS"
  | "RETENTION_MAX_ENDED_DECISIONS"
  | "KV_WRITE_BUDGET"
  | "BLOCKLIST_PART_BYTES"
  | "BLOCKLIST_STALE_MS"
  | "COMMONS_PUSH_MS"
  | "COMMONS_PULL_MS";

/** The integer variables' rules: a decimal integer within [min, max], else the fallback. */
const INTEGERS: Readonly<Record<IntegerVar, IntegerRule>> = {
  BLOCKLIST_REFRESH_MS: { min: 0, max: 3_600_000, fallback: 10_000 },
  // The profiles' own ipv6_prefix has the same bounds (core/ip.ts).
  IPV6_PREFIX: { min: MIN_IPV6_PREFIX, max: 128, fallback: DEFAULT_IPV6_PREFIX },
  CLEARANCE_TTL_S: { min: 60, max: 30 * 86_400, fallback: 3_600 },
  // The free plan allows 50 subrequests per invocation; 10 stay spare.
  SUBREQUEST_BUDGET: { min: MIN_SUBREQUEST_BUDGET, max: 10_000, fallback: 40 },
  MAX_INGEST_BYTES: { min: 1_024, max: 100 * 1024 * 1024, fallback: 5 * 1024 * 1024 },
  KV_FLUSH_MS: { min: 0, max: 3_600_000, fallback: 1_000 },
  QUEUE_RETRY_S: { min: 0, max: 3_600, fallback: 10 },
  // Escalation looks back 30 days: the decisions it counts must still be there.
  RETENTION_DAYS: { min: 31, max: 3_650, fallback: 90 },
  RETENTION_MAX_ALERTS: { min: 1_000, max: 100_000_000, fallback: 1_000_000 },
  RETENTION_MAX_ENDED_DECISIONS: { min: 1_000, max: 100_000_000, fallback: 1_000_000 },
  KV_WRITE_BUDGET: { min: 1, max: 100_000_000, fallback: 1_000 },
  // KV takes 25 MiB per value; a part stays under it with room for its header.
  BLOCKLIST_PART_BYTES: { min: 4_096, max: 25 * 1024 * 1024 - 4_096, fallback: 16 * 1024 * 1024 },
  BLOCKLIST_STALE_MS: { min: 1_000, max: 7 * 86_400_000, fallback: 15 * 60_000 },
  // CrowdSec's engine pushes every 30 s (its bulk of 50) and pulls every 2 h.
  COMMONS_PUSH_MS: { min: 100, max: 3_600_000, fallback: 30_000 },
  COMMONS_PULL_MS: { min: 100, max: 86_400_000, fallback: 2 * 3_600_000 },
};

const cache = new WeakMap<object, WorkerConfig>();

/** The config for these vars, parsed once per vars object (the Worker's env is reused across requests). */
export function configOf(vars: Partial<ConfigVars>): WorkerConfig {
  let cfg = cache.get(vars);
  if (!cfg) {
    cfg = parseConfig(vars);
    cache.set(vars, cfg);
  }
  return cfg;
}

function parseConfig(v: Partial<ConfigVars>): WorkerConfig {
  return {
    originUrl: originUrl(v.ORIGIN_URL),
    failMode: failMode(v.FAIL_MODE),
    turnstileSitekey: nonEmpty(v.TURNSTILE_SITEKEY),
    turnstileSecret: nonEmpty(v.TURNSTILE_SECRET),
    turnstileVerifyUrl: verifyUrl(v.TURNSTILE_VERIFY_URL),
    refreshMs: integer("BLOCKLIST_REFRESH_MS", v.BLOCKLIST_REFRESH_MS),
    ipv6Prefix: integer("IPV6_PREFIX", v.IPV6_PREFIX),
    clearanceTtlS: integer("CLEARANCE_TTL_S", v.CLEARANCE_TTL_S),
    clearanceKey: clearanceKey(v),
    subrequestBudget: integer("SUBREQUEST_BUDGET", v.SUBREQUEST_BUDGET),
    maxIngestBytes: integer("MAX_INGEST_BYTES", v.MAX_INGEST_BYTES),
    kvFlushMs: integer("KV_FLUSH_MS", v.KV_FLUSH_MS),
    maxDecision: maxDecision(v.MAX_DECISION_DURATION),
    local: nonEmpty(v.PALISADE_ENV)?.toLowerCase() === "local",
    unsafe: unsafeSettings(v),
    queueRetryS: integer("QUEUE_RETRY_S", v.QUEUE_RETRY_S),
    retentionDays: integer("RETENTION_DAYS", v.RETENTION_DAYS),
    retentionMaxAlerts: integer("RETENTION_MAX_ALERTS", v.RETENTION_MAX_ALERTS),
    retentionMaxEndedDecisions: integer(
      "RETENTION_MAX_ENDED_DECISIONS",
      v.RETENTION_MAX_ENDED_DECISIONS,
    ),
    kvWriteBudget: integer("KV_WRITE_BUDGET", v.KV_WRITE_BUDGET),
    blocklistPartBytes: integer("BLOCKLIST_PART_BYTES", v.BLOCKLIST_PART_BYTES),
    blocklistStaleMs: integer("BLOCKLIST_STALE_MS", v.BLOCKLIST_STALE_MS),
    commonsPushMs: integer("COMMONS_PUSH_MS", v.COMMONS_PUSH_MS),
    commonsPullMs: integer("COMMONS_PULL_MS", v.COMMONS_PULL_MS),
    edgeDetection: edgeDetection(v.EDGE_DETECTION),
  };
}

/** Cloudflare's Turnstile test sitekeys and secrets (`1x…AA` passes, `2x…AB` fails, …). */
const TURNSTILE_TEST_KEY = /^[1-3]x0{20,}[A-F]{2}$/;
const EXAMPLE_SECRET = /-change-me$/i;
const SECRETS = ["PALISADE_ADMIN_TOKEN", "PALISADE_MACHINE_TOKEN", "CLEARANCE_KEY"] as const;

function unsafeSettings(v: Partial<ConfigVars>): UnsafeSetting[] {
  const out: UnsafeSetting[] = [];
  for (const name of SECRETS) {
    if (EXAMPLE_SECRET.test(nonEmpty(v[name]) ?? "")) {
      out.push({
        name,
        why: `${name} is the example value from .dev.vars.example, public in Palisade's repository: set a long random secret (wrangler secret put ${name}).`,
      });
    }
  }
  for (const name of ["TURNSTILE_SITEKEY", "TURNSTILE_SECRET"] as const) {
    if (TURNSTILE_TEST_KEY.test(nonEmpty(v[name]) ?? "")) {
      out.push({
        name,
        why: `${name} is one of Cloudflare's Turnstile test keys (every captcha passes, or none does): use your widget's ${name === "TURNSTILE_SITEKEY" ? "sitekey (wrangler.toml [vars])" : "secret (wrangler secret put TURNSTILE_SECRET)"}.`,
      });
    }
  }
  return out;
}

/** Problems already logged in this isolate: each once, however many env objects carry it. */
const reported = new Set<string>();

function invalid(name: string, value: string, rule: string, fallback: unknown): void {
  const id = `${name}=${value}`;
  if (reported.has(id)) return;
  reported.add(id);
  console.error("palisade.config.invalid", {
    var: name,
    value,
    message: `${name}=${JSON.stringify(value)} is not ${rule}; using ${JSON.stringify(fallback)}. Fix it in wrangler.toml [vars] (or the secret).`,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function originUrl(value: string | undefined): URL | undefined {
  const v = nonEmpty(value);
  if (v === undefined) return undefined;
  try {
    const url = new URL(v);
    if (url.protocol === "http:" || url.protocol === "https:") return url;
  } catch {
    // reported below
  }
  invalid("ORIGIN_URL", v, "an http(s) URL", "the route's own origin");
  return undefined;
}

function failMode(value: string | undefined): "open" | "closed" {
  const v = nonEmpty(value)?.toLowerCase() ?? "open";
  if (v === "open" || v === "closed") return v;
  invalid("FAIL_MODE", value ?? "", "open or closed", "open");
  return "open";
}

const EDGE_DETECTION_ON: EdgeDetection = { enabled: true, sampleOneIn: 1 };

function edgeDetection(value: string | undefined): EdgeDetection {
  const v = nonEmpty(value)?.toLowerCase() ?? "on";
  if (v === "on") return EDGE_DETECTION_ON;
  if (v === "off") return { enabled: false, sampleOneIn: 1 };
  const m = /^sample:(\d{1,6})$/.exec(v);
  const n = m ? Number(m[1]) : 0;
  if (n >= 1) return { enabled: true, sampleOneIn: n };
  invalid("EDGE_DETECTION", value ?? "", "on, off or sample:N (N from 1 to 999999)", "on");
  return EDGE_DETECTION_ON;
}

function verifyUrl(value: string | undefined): string {
  const v = nonEmpty(value);
  if (v === undefined) return DEFAULT_VERIFY_URL;
  try {
    new URL(v);
    return v;
  } catch {
    invalid("TURNSTILE_VERIFY_URL", v, "a URL", DEFAULT_VERIFY_URL);
    return DEFAULT_VERIFY_URL;
  }
}

function integer(name: IntegerVar, value: string | undefined): number {
  const { min, max, fallback } = INTEGERS[name];
  const v = nonEmpty(value);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (/^\d+$/.test(v) && n >= min && n <= max) return n;
  invalid(name, v, `an integer from ${min} to ${max}`, fallback);
  return fallback;
}

function maxDecision(value: string | undefined): DurationBound {
  const parsed = durationCeiling(value, "MAX_DECISION_DURATION");
  if (parsed.problem) {
    invalid(
      "MAX_DECISION_DURATION",
      value ?? "",
      "a positive Go duration of at most 2562047h",
      formatDuration(parsed.bound.maxMs),
    );
  }
  return parsed.bound;
}

function clearanceKey(v: Partial<ConfigVars>): WorkerConfig["clearanceKey"] {
  const own = nonEmpty(v.CLEARANCE_KEY);
  if (own) return { secret: own, source: "CLEARANCE_KEY" };
  const admin = nonEmpty(v.PALISADE_ADMIN_TOKEN);
  return admin ? { secret: admin, source: "PALISADE_ADMIN_TOKEN" } : undefined;
}

const merged = new WeakMap<object, WeakMap<object, Partial<ConfigVars>>>();

/** The env's vars with `overrides` on top, built once per (env, overrides) pair so `configOf` caches it. */
export function varsWith(
  env: Partial<ConfigVars>,
  overrides: VarOverrides | undefined,
): Partial<ConfigVars> {
  if (!overrides) return env;
  let byEnv = merged.get(overrides);
  if (!byEnv) {
    byEnv = new WeakMap();
    merged.set(overrides, byEnv);
  }
  let vars = byEnv.get(env);
  if (!vars) {
    vars = { ...env, ...overrides } as Partial<ConfigVars>;
    byEnv.set(env, vars);
  }
  return vars;
}
