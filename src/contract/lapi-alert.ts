import { z } from "zod";
import { parseCidr } from "../core/ip";
import { normalizeScope } from "../core/profile";
import { lapiDecisionSchema } from "./decision";
import { goDurationSchema } from "./duration";

/**
 * Alerts on CrowdSec's Local API (`POST /v1/alerts` from a CrowdSec agent or `cscli`,
 * `GET /v1/alerts[/{id}]`), as CrowdSec 1.4.6's swagger `Alert` model
 * (pkg/models/localapi_swagger.yaml) and its Go structs' JSON tags: every key cscli
 * dereferences is always sent. Input is lenient where agents differ (unknown fields are
 * ignored, Go's `null` for an empty list is accepted) and strict where a watcher could
 * hurt: its decisions are on an Ip or a Range no wider than WATCHER_WIDEST_PREFIX.
 */

const metaItemsSchema = z.array(z.object({ key: z.string(), value: z.string() }));

/** The widest range a watcher may ban or report: a /16 of IPv4, a /48 of IPv6. */
const WATCHER_WIDEST_PREFIX = { 4: 16, 6: 48 } as const;

/**
 * Why a watcher may not make a decision on (scope, value), or undefined when it may. A
 * stolen agent credential must not ban the internet: only Ip and Range, parsed, no wider
 * than WATCHER_WIDEST_PREFIX. `field` says which of the two is at fault.
 */
export function watcherDecisionProblem(
  scope: string,
  value: string,
): { field: "scope" | "value"; message: string } | undefined {
  const s = normalizeScope(scope);
  if (s !== "Ip" && s !== "Range") {
    return {
      field: "scope",
      message: `a watcher decides on an Ip or a Range, not ${JSON.stringify(scope)}; the admin can: palisade decisions add --scope ${scope} --value …`,
    };
  }
  const cidr = parseCidr(value);
  if (!cidr) {
    return { field: "value", message: `${JSON.stringify(value)} is not an IP address or range` };
  }
  const widest = WATCHER_WIDEST_PREFIX[cidr.version];
  if (cidr.prefix < widest) {
    return {
      field: "value",
      message: `${cidr.text} is wider than a watcher may ban (/${widest} for IPv${cidr.version}); the admin can: palisade decisions add --range ${cidr.text}`,
    };
  }
  return undefined;
}

const sourceFields = {
  /** `Ip`, `Range`, or a custom scope (normalised case-insensitively like CrowdSec). */
  scope: z.string().min(1).max(64),
  /** Empty for cscli's import (`cscli/manual-import`). */
  value: z.string().max(256),
  ip: z.string().max(64).optional(),
  range: z.string().max(64).optional(),
  as_number: z.string().max(32).optional(),
  as_name: z.string().max(256).optional(),
  cn: z.string().max(8).optional(),
  latitude: z.number().optional(),
  longitude: z.number().optional(),
};

const lapiSourceSchema = z.object(sourceFields);

/** A pushed alert's source: an Ip or Range one is what the profiles would decide on. */
const lapiSourceInSchema = z.object(sourceFields).superRefine((s, ctx) => {
  const scope = normalizeScope(s.scope);
  if (scope !== "Ip" && scope !== "Range") return;
  const problem = watcherDecisionProblem(scope, s.value);
  if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: [problem.field] });
});

/** A decision an alert carries (`cscli decisions add` and `decisions import` send them). */
const lapiDecisionInSchema = z
  .object({
    origin: z.string().min(1).max(64),
    type: z.string().min(1).max(64),
    scope: z.string().min(1).max(64),
    value: z.string().min(1).max(256),
    duration: goDurationSchema,
    scenario: z.string().max(1024),
    until: z.string().optional(),
    simulated: z.boolean().optional(),
  })
  .superRefine((d, ctx) => {
    const problem = watcherDecisionProblem(d.scope, d.value);
    if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: [problem.field] });
  });

const lapiEventSchema = z.object({
  timestamp: z.string(),
  meta: metaItemsSchema.nullable().optional(),
});

export const lapiAlertInSchema = z.object({
  scenario: z.string().min(1).max(1024),
  scenario_hash: z.string().max(256).optional(),
  scenario_version: z.string().max(64).optional(),
  message: z.string().max(4096).optional(),
  events_count: z.number().int().nonnegative().optional(),
  /** RFC 3339; the time of the receipt when absent or unreadable. */
  start_at: z.string().optional(),
  stop_at: z.string().optional(),
  capacity: z.number().int().optional(),
  /** A Go duration (`10s`); cscli sends `0` or an empty string. */
  leakspeed: z.string().optional(),
  simulated: z.boolean().optional(),
  remediation: z.boolean().optional(),
  events: z.array(lapiEventSchema).max(1000).nullable().optional(),
  /** When present and non-empty, these are recorded as is (no profile runs). */
  decisions: z.array(lapiDecisionInSchema).max(10_000).nullable().optional(),
  source: lapiSourceInSchema,
  meta: metaItemsSchema.max(100).nullable().optional(),
  labels: z.array(z.string().max(256)).max(100).nullable().optional(),
});

/** `POST /v1/alerts` body. */
export const lapiAlertsInSchema = z.array(lapiAlertInSchema).min(1).max(1000);

/** `POST /v1/alerts` answer (201): the new alerts' ids, as strings (CrowdSec's shape). */
export const lapiAlertsCreatedSchema = z.array(z.string());

const flagText = z.enum(["true", "false", "1", "0"], { error: "true or false" });
/** A Go duration ago (`24h`, `1d`) or an RFC 3339 time. */
const pointText = z.string().min(1).max(64);

/** Filters of `GET /v1/alerts` (and `DELETE /v1/alerts`), as cscli sends them. */
export const lapiAlertsQuerySchema = z.object({
  scope: z.string().min(1).max(64).optional(),
  value: z.string().min(1).max(256).optional(),
  scenario: z.string().min(1).max(1024).optional(),
  /** Alerts with a decision on this IP (or a range holding it; `contains=false`: inside it). */
  ip: z.string().min(1).max(64).optional(),
  range: z.string().min(1).max(64).optional(),
  contains: flagText.optional(),
  /** Alerts newer than this: a Go duration ago (`24h`) or an RFC 3339 time. */
  since: pointText.optional(),
  /** Alerts older than this: a Go duration ago or an RFC 3339 time. */
  until: pointText.optional(),
  /** Alerts recorded before this long ago (cscli's flush). */
  created_before: pointText.optional(),
  /** `false`: leave out alerts from scenarios in simulation. */
  simulated: flagText.optional(),
  has_active_decision: flagText.optional(),
  decision_type: z.string().min(1).max(64).optional(),
  origin: z.string().min(1).max(64).optional(),
  /** `false` (cscli's default): leave out the community and third-party lists' alerts. */
  include_capi: flagText.optional(),
  /** 0: no limit (cscli's `-a`); at most MAX_ALERTS_PAGE either way. */
  limit: z
    .string()
    .regex(/^\d{1,9}$/, { error: "a whole number" })
    .transform(Number)
    .optional(),
  /** What `cscli alerts delete` adds; Palisade has one kind of alert source. */
  alert_source: z.string().max(64).optional(),
  sort: z.string().max(16).optional(),
});

/** The most alerts one `GET /v1/alerts` answers (and one `DELETE /v1/alerts` removes). */
export const MAX_ALERTS_PAGE = 10_000;

/** A decision inside an alert: the bouncers' shape plus `simulated`, which cscli reads. */
const lapiAlertDecisionSchema = lapiDecisionSchema.extend({ simulated: z.boolean() });

const lapiEventOutSchema = z.object({
  timestamp: z.string(),
  meta: metaItemsSchema.nullable(),
});

/** One alert as `GET /v1/alerts` lists it (CrowdSec's `FormatOneAlert`, every key cscli reads). */
export const lapiAlertOutSchema = z.object({
  capacity: z.number().int(),
  created_at: z.string(),
  decisions: z.array(lapiAlertDecisionSchema).nullable(),
  events: z.array(lapiEventOutSchema).nullable(),
  events_count: z.number().int(),
  id: z.number().int(),
  labels: z.array(z.string()).nullable(),
  leakspeed: z.string(),
  machine_id: z.string(),
  message: z.string(),
  /** Sent when the alert has any (Go's `omitempty`). */
  meta: metaItemsSchema.optional(),
  scenario: z.string(),
  scenario_hash: z.string(),
  scenario_version: z.string(),
  simulated: z.boolean(),
  source: lapiSourceSchema,
  start_at: z.string(),
  stop_at: z.string(),
});

export const lapiAlertListSchema = z.array(lapiAlertOutSchema).nullable();

/** `DELETE /v1/alerts[/{id}]` answer: CrowdSec sends the count as a string. */
export const lapiAlertsDeletedSchema = z.object({ nbDeleted: z.string() });

export type LapiAlertIn = z.infer<typeof lapiAlertInSchema>;
export type LapiDecisionIn = z.infer<typeof lapiDecisionInSchema>;
export type LapiAlertsQuery = z.infer<typeof lapiAlertsQuerySchema>;
export type LapiAlertOut = z.infer<typeof lapiAlertOutSchema>;
