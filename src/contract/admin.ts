import { z } from "zod";
import { goDurationSchema } from "./duration";

/**
 * The admin API (`/_palisade/v1/admin/…`, `Authorization: Bearer <PALISADE_ADMIN_TOKEN>`):
 * decisions and alerts. Keys, allowlist and metrics are in admin-access.ts. Fields may
 * be added, never removed or renamed; times are ISO 8601 UTC; list answers are pages
 * (`next_cursor`: pass it as `cursor` for the next page, null on the last one).
 */

const iso = z.iso.datetime({ offset: true });
const id = z.number().int().nonnegative();
const flag = z.enum(["true", "false"]).transform((v) => v === "true");
const limit = z
  .string()
  .regex(/^\d{1,4}$/, { error: "a number from 1 to 1000" })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1000, { error: "a number from 1 to 1000" });
const cursor = z
  .string()
  .regex(/^\d{1,15}$/, { error: "the next_cursor of the previous page" })
  .transform(Number);

/** Decision filters (query) of list and delete; `ip`/`range` follow cscli's `contains`. */
const decisionFilter = {
  /** Decisions applying to this IP: its `Ip` decision and `Range`s containing it. */
  ip: z.string().min(1).max(64).optional(),
  /** Decisions applying to this CIDR (with `contains=false`: decisions inside it). */
  range: z.string().min(1).max(64).optional(),
  contains: flag.optional(),
  value: z.string().min(1).max(256).optional(),
  scope: z.string().min(1).max(64).optional(),
  type: z.string().min(1).max(64).optional(),
  origin: z.string().min(1).max(64).optional(),
  /** Exact scenario (for manual decisions: their reason). */
  scenario: z.string().min(1).max(1024).optional(),
};

export const adminDecisionSchema = z.object({
  id,
  uuid: z.string(),
  /** `palisade` (detected), `cscli` (added by hand here), `crowdsec` (a watcher's alert), … */
  origin: z.string(),
  type: z.string(),
  /** `Ip`, `Range`, `Country`, `AS`, or a custom scope. */
  scope: z.string(),
  value: z.string(),
  /** The scenario that caused it; a manual decision's reason. */
  scenario: z.string(),
  alert_id: id.nullable(),
  created_at: iso,
  until: iso,
  /** Time left, Go form (`3h59m12s`); `0s` or negative once ended. */
  duration: z.string(),
  active: z.boolean(),
  deleted_at: iso.nullable(),
  /** `expired`, `deleted` (by the admin API or a watcher), `allowlisted`. */
  deleted_reason: z.string().nullable(),
});

export const adminDecisionsQuerySchema = z.object({
  ...decisionFilter,
  /** Include ended decisions (expired or deleted); default only active ones. */
  all: flag.optional(),
  limit: limit.optional(),
  cursor: cursor.optional(),
});

export const adminDecisionPageSchema = z.object({
  /** Newest first. */
  decisions: z.array(adminDecisionSchema),
  next_cursor: id.nullable(),
});

export const adminDecisionAddSchema = z
  .object({
    /** Shorthand for `scope: "Ip", value: ip`. */
    ip: z.string().min(1).max(64).optional(),
    /** Shorthand for `scope: "Range", value: range`. */
    range: z.string().min(1).max(64).optional(),
    /** With `scope`: an IP, a CIDR, a country code (`Country`), an AS number (`AS`). */
    value: z.string().min(1).max(256).optional(),
    scope: z.string().min(1).max(64).optional(),
    /** `ban` (default), `captcha`, `throttle`, or a custom type bouncers know. */
    type: z.string().min(1).max(64).default("ban"),
    /** Go duration (`4h`, `30m`, `720h`); default 4h. */
    duration: goDurationSchema.default("4h"),
    /** Shown as the decision's scenario, as cscli does; default `manual '<type>' from 'admin'`. */
    reason: z.string().min(1).max(1024).optional(),
    /**
     * Do it even though it looks like a mistake (a range wider than IPv4 /8 or IPv6 /32,
     * an address the built-in allowlist exempts, a duration under a second); without it
     * such a decision is refused with 422 `force_required` saying what would happen.
     */
    force: z.boolean().optional(),
  })
  .refine((b) => [b.ip, b.range, b.value].filter((v) => v !== undefined).length === 1, {
    error: "give exactly one of ip, range or value (with scope)",
    path: ["value"],
  })
  .refine((b) => b.value === undefined || b.scope !== undefined, {
    error: "value needs a scope (Ip, Range, Country, AS)",
    path: ["scope"],
  });

export const adminDecisionAddedSchema = z.object({
  decision: adminDecisionSchema,
  /** The alert recorded with it (cscli records one too). */
  alert_id: id,
});

export const adminDecisionsDeleteQuerySchema = z.object({
  ...decisionFilter,
  /** Required to delete every active decision when no filter is given. */
  all: flag.optional(),
});

export const adminDeletedSchema = z.object({
  deleted: z.number().int().nonnegative(),
  /** The decisions (or entries) deleted. */
  ids: z.array(id),
});

const alertDecision = adminDecisionSchema;

export const adminAlertSchema = z.object({
  id,
  scenario: z.string(),
  message: z.string(),
  scope: z.string(),
  value: z.string(),
  events_count: z.number().int(),
  start_at: iso,
  stop_at: iso,
  created_at: iso,
  /** The machine that sent it (a watcher's id), `palisade` for Palisade's own detection. */
  machine: z.string(),
  allowlisted: z.boolean(),
  allowlisted_by: z.string().nullable(),
  decisions: z.array(alertDecision),
});

const alertOriginSchema = z.object({
  /** The machine (ingest credential) that sent the lines; null when unknown. */
  machine: z.string().nullable(),
  /** The batch's `source.name` (a file path, `journald`). */
  src: z.string(),
  /** The batch's `source.labels`, with `type`. */
  labels: z.record(z.string(), z.string()),
  /** Sampled events from this origin. */
  events: z.number().int().nonnegative(),
});

const alertEventSchema = z.object({
  time: iso,
  meta: z.record(z.string(), z.string()),
  /** The raw log line (null for a watcher's event). */
  raw: z.string().nullable(),
  /** CrowdSec's `evt.Parsed`: what the parser captured. */
  parsed: z.record(z.string(), z.string()),
  machine: z.string().nullable(),
  src: z.string(),
  labels: z.record(z.string(), z.string()),
});

export const adminAlertDetailSchema = adminAlertSchema.extend({
  capacity: z.number().int(),
  /** Go duration. */
  leakspeed: z.string(),
  remediation: z.boolean(),
  labels: z.record(z.string(), z.unknown()),
  profile: z.string().nullable(),
  source: z.record(z.string(), z.unknown()),
  /**
   * Where the evidence came from: each distinct (machine, source name, labels) of the
   * sampled events with how many of them it sent. Empty for manual and watcher alerts.
   */
  origins: z.array(alertOriginSchema),
  /**
   * The evidence: the latest events (at most 20), oldest first, each with the raw log line
   * that triggered it (cut at 4,096 characters), its parsed fields and where it came from.
   * A watcher's events have no raw line (`raw: null`): CrowdSec sends only their meta.
   */
  events: z.array(alertEventSchema),
});

export const adminAlertsQuerySchema = z.object({
  ip: z.string().min(1).max(64).optional(),
  range: z.string().min(1).max(64).optional(),
  value: z.string().min(1).max(256).optional(),
  scope: z.string().min(1).max(64).optional(),
  /** Scenario contains this (case-insensitive). */
  scenario: z.string().min(1).max(1024).optional(),
  /** Newer than: a Go duration ago (`24h`) or an ISO time. */
  since: z.string().min(1).max(64).optional(),
  /** Older than: a Go duration ago or an ISO time. */
  until: z.string().min(1).max(64).optional(),
  has_active_decision: flag.optional(),
  allowlisted: flag.optional(),
  /** Alerts with a decision of this origin / type. */
  origin: z.string().min(1).max(64).optional(),
  type: z.string().min(1).max(64).optional(),
  limit: limit.optional(),
  cursor: cursor.optional(),
});

export const adminAlertPageSchema = z.object({
  /** Newest first. */
  alerts: z.array(adminAlertSchema),
  next_cursor: id.nullable(),
});

export type AdminDecision = z.infer<typeof adminDecisionSchema>;
export type AdminDecisionAdd = z.infer<typeof adminDecisionAddSchema>;
export type AdminAlert = z.infer<typeof adminAlertSchema>;
export type AdminAlertDetail = z.infer<typeof adminAlertDetailSchema>;
export type AdminAlertsQuery = z.infer<typeof adminAlertsQuerySchema>;
export type AdminAlertEvent = z.infer<typeof alertEventSchema>;
export type AdminAlertOrigin = z.infer<typeof alertOriginSchema>;
