import { QUEUE_BATCH_MESSAGES } from "../ingest/budget";
import { type Problem, problem } from "./errors";
import type { WranglerConfig } from "./wrangler-config";

/**
 * `palisade doctor` (`npm run preflight`): what would make a real deploy go wrong, read
 * from wrangler.toml and, when given, the secrets about to be set. Each finding is an
 * error (the deploy would not work or would be unsafe) or a warning, told as what / why /
 * fix like every other message of the CLI.
 */

export type Severity = "error" | "warning";

export interface Finding extends Problem {
  severity: Severity;
}

export type Plan = "free" | "paid";

export interface DoctorInput {
  config: WranglerConfig;
  /** Secrets as they will be set (`--secrets FILE`), or undefined when not checked. */
  secrets: Record<string, string> | undefined;
  /** Values of the repository's .dev.vars.example (never fit for production). */
  exampleSecrets: readonly string[];
  plan: Plan;
}

const SECRETS = [
  "PALISADE_ADMIN_TOKEN",
  "PALISADE_MACHINE_TOKEN",
  "TURNSTILE_SECRET",
  "CLEARANCE_KEY",
];
/** Turnstile's fixed test keys: sitekeys `1x…AA`, `2x…AB`, `3x…FF`, secrets `1x…0AA`, …. */
const TURNSTILE_TEST_KEY = /^[123]x0{10,}[A-F]{2}$/;
const PLACEHOLDER_ID = /^(0+|<.*>|x+|your[-_].*|placeholder.*|changeme|todo)?$/i;
/** KV writes a day: the free plan's cap; the paid plan includes 1M a month (about 33k a day). */
const PLAN_KV_WRITES: Record<Plan, number> = { free: 1_000, paid: 33_000 };
const DAY_MS = 86_400_000;
/** A flush writes a delta and the manifest; the hourly compaction a base and the manifest. */
const WRITES_PER_FLUSH = 2;
const COMPACTION_WRITES_PER_DAY = 2 * 24;

function error(what: string, why: string, fix: string): Finding {
  return { severity: "error", ...problem(what, why, fix) };
}

function warning(what: string, why: string, fix: string): Finding {
  return { severity: "warning", ...problem(what, why, fix) };
}

export function diagnose(input: DoctorInput): Finding[] {
  return [
    ...bindings(input.config),
    ...queues(input.config),
    ...kvNamespace(input.config),
    ...vars(input.config),
    ...kvWrites(input.config, input.plan),
    ...secrets(input),
  ];
}

function bindings(c: WranglerConfig): Finding[] {
  const out: Finding[] = [];
  const file = c.path;
  for (const [name, cls] of [
    ["SOURCES", "SourceTracker"],
    ["LEDGER", "Ledger"],
  ]) {
    if (!c.durableObjects.some((b) => b.name === name && b.class_name === cls))
      out.push(
        error(
          `${file} has no Durable Object binding ${name} (class ${cls}).`,
          `the Worker keeps its ${cls === "Ledger" ? "alerts and decisions" : "per-source buckets"} there; without it every ingest and API call fails.`,
          `add [[durable_objects.bindings]] name = "${name}" class_name = "${cls}" (see wrangler.toml in the repository).`,
        ),
      );
  }
  const migrated = new Set(
    (Array.isArray(c.raw.migrations) ? c.raw.migrations : []).flatMap(
      (m: { new_sqlite_classes?: string[] }) => m.new_sqlite_classes ?? [],
    ),
  );
  for (const cls of ["SourceTracker", "Ledger"]) {
    if (!migrated.has(cls))
      out.push(
        error(
          `${file} never migrates ${cls} as a SQLite class.`,
          "SQLite-backed Durable Objects need new_sqlite_classes in a [[migrations]] entry.",
          `add [[migrations]] tag = "v1" new_sqlite_classes = ["SourceTracker", "Ledger"].`,
        ),
      );
  }
  if (!c.crons.length)
    out.push(
      warning(
        `${file} has no cron trigger.`,
        "the minute cron expires missed decisions, compacts the KV blocklist and applies retention.",
        `add [triggers] crons = ["* * * * *"].`,
      ),
    );
  if (c.routes.length === 0)
    out.push(
      warning(
        `${file} has no routes.`,
        "the Worker then only answers on workers.dev and fronts no site of yours.",
        `add routes = [{ pattern = "example.com/*", zone_name = "example.com" }].`,
      ),
    );
  return out;
}

function queues(c: WranglerConfig): Finding[] {
  const file = c.path;
  const producer = c.queueProducers.find((p) => p.binding === "INGEST_QUEUE");
  if (!producer?.queue)
    return [
      error(
        `${file} has no queue producer INGEST_QUEUE.`,
        "ingest hands what exceeds one request's subrequests to this queue; without it large batches fail.",
        `add [[queues.producers]] binding = "INGEST_QUEUE" queue = "palisade-ingest" (wrangler queues create palisade-ingest).`,
      ),
    ];
  const consumer = c.queueConsumers.find((q) => q.queue === producer.queue);
  const out: Finding[] = [];
  if (!consumer) {
    out.push(
      error(
        `${file} has no consumer for the queue ${producer.queue}.`,
        "queued ingest work would never be poured.",
        `add [[queues.consumers]] queue = "${producer.queue}" max_batch_size = ${QUEUE_BATCH_MESSAGES}.`,
      ),
    );
    return out;
  }
  if (consumer.max_batch_size !== QUEUE_BATCH_MESSAGES)
    out.push(
      error(
        `the consumer of ${producer.queue} has max_batch_size ${consumer.max_batch_size ?? "unset (10)"}, not ${QUEUE_BATCH_MESSAGES}.`,
        "queue messages are sized so that a delivery of that many is poured in one invocation; larger ones are sent back, costing queue writes.",
        `set max_batch_size = ${QUEUE_BATCH_MESSAGES}.`,
      ),
    );
  const dlq = consumer.dead_letter_queue;
  if (!dlq || !c.queueConsumers.some((q) => q.queue === dlq))
    out.push(
      error(
        dlq
          ? `the dead-letter queue ${dlq} has no consumer.`
          : `the consumer of ${producer.queue} has no dead_letter_queue.`,
        "a message that fails every delivery would be lost, or sit where no one sees it (palisade dlq shows what the Ledger keeps).",
        `set dead_letter_queue = "${producer.queue}-dlq" and add [[queues.consumers]] queue = "${producer.queue}-dlq" (wrangler queues create ${producer.queue}-dlq).`,
      ),
    );
  return out;
}

function kvNamespace(c: WranglerConfig): Finding[] {
  const kv = c.kvNamespaces.find((k) => k.binding === "BLOCKLIST");
  if (!kv)
    return [
      error(
        `${c.path} has no KV namespace BLOCKLIST.`,
        "the edge reads the blocklist from it.",
        'wrangler kv namespace create BLOCKLIST, then add [[kv_namespaces]] binding = "BLOCKLIST" id = "<the printed id>".',
      ),
    ];
  if (PLACEHOLDER_ID.test(kv.id ?? ""))
    return [
      error(
        `the KV namespace BLOCKLIST has the placeholder id ${JSON.stringify(kv.id ?? "")}.`,
        "wrangler deploy needs the id of a namespace in your account.",
        "run wrangler kv namespace create BLOCKLIST and put the printed id in [[kv_namespaces]].",
      ),
    ];
  return [];
}

function vars(c: WranglerConfig): Finding[] {
  const out: Finding[] = [];
  const v = c.vars;
  if (v.PALISADE_ENV === "local")
    out.push(
      error(
        "PALISADE_ENV is local.",
        "local mode accepts example secrets and Turnstile's test keys.",
        'set PALISADE_ENV = "production" in [vars] (or in your [env.production] section).',
      ),
    );
  const sitekey = typeof v.TURNSTILE_SITEKEY === "string" ? v.TURNSTILE_SITEKEY : "";
  if (TURNSTILE_TEST_KEY.test(sitekey))
    out.push(
      error(
        `TURNSTILE_SITEKEY is Turnstile's test key ${sitekey}.`,
        "test keys pass (or fail) every visitor without a challenge: the captcha protects nothing.",
        "create a Turnstile widget for your site and put its sitekey in [vars].",
      ),
    );
  else if (sitekey === "")
    out.push(
      warning(
        "TURNSTILE_SITEKEY is not set.",
        "captcha decisions cannot show a challenge without a widget.",
        "create a Turnstile widget and put its sitekey in [vars] (its secret: wrangler secret put TURNSTILE_SECRET).",
      ),
    );
  for (const name of SECRETS) {
    if (v[name] !== undefined)
      out.push(
        error(
          `${name} is in [vars].`,
          "vars are plain text in wrangler.toml and in the dashboard; this one is a secret.",
          `remove it from [vars] and run wrangler secret put ${name}.`,
        ),
      );
  }
  return out;
}

/**
 * The KV write rate against the plan. With the Ledger's daily write budget setting
 * (KV_WRITE_BUDGET, which keeps the flusher within it whatever the traffic) the budget
 * itself is checked; without one, the worst case KV_FLUSH_MS allows (a flush every
 * interval, all day).
 */
function kvWrites(c: WranglerConfig, plan: Plan): Finding[] {
  const cap = PLAN_KV_WRITES[plan];
  const budget = Number(c.vars.KV_WRITE_BUDGET);
  if (c.vars.KV_WRITE_BUDGET !== undefined && Number.isFinite(budget)) {
    return budget > cap
      ? [
          error(
            `KV_WRITE_BUDGET is ${budget} writes a day, over the ${plan} plan's ${cap}.`,
            plan === "free"
              ? "the free plan refuses KV writes past 1,000 a day: new bans stop reaching the edge until midnight UTC."
              : "the paid plan includes 1M writes a month; more are billed.",
            `set KV_WRITE_BUDGET to ${cap} or less${plan === "free" ? ", or move to the paid plan (--plan paid)" : ""}.`,
          ),
        ]
      : [];
  }
  const flushMs = Number(c.vars.KV_FLUSH_MS ?? 1_000);
  const perDay =
    Math.ceil((WRITES_PER_FLUSH * DAY_MS) / Math.max(1, flushMs)) + COMPACTION_WRITES_PER_DAY;
  if (perDay <= cap) return [];
  const needed = Math.ceil((WRITES_PER_FLUSH * DAY_MS) / (cap - COMPACTION_WRITES_PER_DAY));
  return [
    error(
      `KV_FLUSH_MS ${flushMs} allows up to ${perDay} KV writes a day, over the ${plan} plan's ${cap}.`,
      "each flush writes 2 keys; under steady bans the Ledger flushes every KV_FLUSH_MS all day.",
      `raise KV_FLUSH_MS to ${needed} or more${plan === "free" ? " (or use --plan paid if you are on it)" : ""}.`,
    ),
  ];
}

function secrets(input: DoctorInput): Finding[] {
  const s = input.secrets;
  if (s === undefined)
    return [
      warning(
        "the secrets were not checked.",
        "they live in Cloudflare (wrangler secret put), out of this command's sight.",
        "give the values you set with --secrets FILE (NAME=value lines, like .dev.vars) to check them too.",
      ),
    ];
  const out: Finding[] = [];
  for (const name of SECRETS) {
    const value = s[name];
    if (value === undefined || value === "") {
      out.push(
        error(
          `${name} is not set.`,
          name === "TURNSTILE_SECRET"
            ? "captcha answers cannot be verified."
            : name === "CLEARANCE_KEY"
              ? "the clearance cookie is then keyed from the admin token, which rotating the token would invalidate."
              : "the Worker refuses every admin (or ingest) request without it.",
          `wrangler secret put ${name} (a long random value: openssl rand -hex 32).`,
        ),
      );
      continue;
    }
    if (name === "TURNSTILE_SECRET" && TURNSTILE_TEST_KEY.test(value))
      out.push(
        error(
          "TURNSTILE_SECRET is Turnstile's test secret.",
          "test secrets accept (or refuse) every answer: the captcha protects nothing.",
          "use your widget's secret key: wrangler secret put TURNSTILE_SECRET.",
        ),
      );
    else if (input.exampleSecrets.includes(value) || /change-?me/i.test(value))
      out.push(
        error(
          `${name} is an example value.`,
          "the example secrets are public (.dev.vars.example): anyone could use them.",
          `set a long random value: openssl rand -hex 32 | wrangler secret put ${name}.`,
        ),
      );
    else if (name !== "TURNSTILE_SECRET" && value.length < 32)
      out.push(
        warning(
          `${name} is only ${value.length} characters.`,
          "a short token can be guessed.",
          `use 32 or more random characters: openssl rand -hex 32 | wrangler secret put ${name}.`,
        ),
      );
  }
  return out;
}
