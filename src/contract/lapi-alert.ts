import { z } from "zod";
import { lapiDecisionSchema } from "./decision";
import { goDurationSchema } from "./duration";

/**
 * Alerts on CrowdSec's Local API (`POST /v1/alerts` from a CrowdSec agent or `cscli`,
 * `GET /v1/alerts`), as its swagger `Alert` model. Input is lenient: agents of different
 * versions send different optional fields, unknown ones are ignored, Go's `null` for an
 * empty list is accepted.
 */

const metaItemsSchema = z.array(z.object({ key: z.string(), value: z.string() }));

const lapiSourceSchema = z.object({
  /** `Ip`, `Range`, or a custom scope (normalised case-insensitively like CrowdSec). */
  scope: z.string().min(1).max(64),
  value: z.string().min(1).max(256),
  ip: z.string().max(64).optional(),
  range: z.string().max(64).optional(),
  as_number: z.string().max(32).optional(),
  as_name: z.string().max(256).optional(),
  cn: z.string().max(8).optional(),
  latitude: z.number().optional(),
  longitude: z.number().optional(),
});

/** A decision an alert carries (`cscli decisions add` sends its decision this way). */
const lapiDecisionInSchema = z.object({
  origin: z.string().min(1).max(64),
  type: z.string().min(1).max(64),
  scope: z.string().min(1).max(64),
  value: z.string().min(1).max(256),
  duration: goDurationSchema,
  scenario: z.string().max(1024),
  until: z.string().optional(),
  simulated: z.boolean().optional(),
});

const lapiEventSchema = z.object({
  timestamp: z.string(),
  meta: metaItemsSchema.nullable().optional(),
});

const lapiAlertInSchema = z.object({
  scenario: z.string().min(1).max(1024),
  scenario_hash: z.string().max(256).optional(),
  scenario_version: z.string().max(64).optional(),
  message: z.string().max(4096).optional(),
  events_count: z.number().int().nonnegative().optional(),
  /** RFC 3339; the time of the receipt when absent or unreadable. */
  start_at: z.string().optional(),
  stop_at: z.string().optional(),
  capacity: z.number().int().optional(),
  /** A Go duration (`10s`). */
  leakspeed: z.string().optional(),
  simulated: z.boolean().optional(),
  remediation: z.boolean().optional(),
  events: z.array(lapiEventSchema).max(1000).nullable().optional(),
  /** When present and non-empty, these are recorded as is (no profile runs). */
  decisions: z.array(lapiDecisionInSchema).max(10_000).nullable().optional(),
  source: lapiSourceSchema,
  meta: metaItemsSchema.nullable().optional(),
  labels: z.array(z.string()).nullable().optional(),
});

/** `POST /v1/alerts` body. */
export const lapiAlertsInSchema = z.array(lapiAlertInSchema).min(1).max(1000);

/** `POST /v1/alerts` answer (201): the new alerts' ids, as strings (CrowdSec's shape). */
export const lapiAlertsCreatedSchema = z.array(z.string());

export const lapiAlertsQuerySchema = z.object({
  scope: z.string().min(1).max(64).optional(),
  value: z.string().min(1).max(256).optional(),
  scenario: z.string().min(1).max(1024).optional(),
  ip: z.string().min(1).max(64).optional(),
  range: z.string().min(1).max(64).optional(),
  /** Alerts newer than this: a Go duration ago (`24h`) or an RFC 3339 time. */
  since: z.string().min(1).max(64).optional(),
  /** Alerts older than this: a Go duration ago or an RFC 3339 time. */
  until: z.string().min(1).max(64).optional(),
  simulated: z.string().optional(),
  has_active_decision: z.enum(["true", "false"]).optional(),
  decision_type: z.string().min(1).max(64).optional(),
  origin: z.string().min(1).max(64).optional(),
  limit: z
    .string()
    .regex(/^\d{1,6}$/)
    .transform(Number)
    .optional(),
});

/** One alert as `GET /v1/alerts` lists it (CrowdSec's `FormatOneAlert`). */
const lapiAlertOutSchema = z.object({
  id: z.number().int(),
  machine_id: z.string(),
  created_at: z.string(),
  scenario: z.string(),
  scenario_hash: z.string(),
  scenario_version: z.string(),
  message: z.string(),
  events_count: z.number().int(),
  start_at: z.string(),
  stop_at: z.string(),
  capacity: z.number().int(),
  leakspeed: z.string(),
  simulated: z.boolean(),
  uuid: z.string().optional(),
  source: lapiSourceSchema,
  events: z.array(lapiEventSchema).nullable(),
  decisions: z.array(lapiDecisionSchema).nullable(),
});

export const lapiAlertListSchema = z.array(lapiAlertOutSchema).nullable();

export type LapiAlertIn = z.infer<typeof lapiAlertInSchema>;
export type LapiDecisionIn = z.infer<typeof lapiDecisionInSchema>;
export type LapiAlertsQuery = z.infer<typeof lapiAlertsQuerySchema>;
export type LapiAlertOut = z.infer<typeof lapiAlertOutSchema>;
