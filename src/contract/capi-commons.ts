import { z } from "zod";
import { goDurationSchema } from "./duration";

/**
 * The commons' own API beside CrowdSec's Central API (src/contract/capi.ts): the
 * operator's admin API under `/v1/admin/` (Bearer COMMONS_ADMIN_TOKEN; errors are
 * Palisade's `{"error":{"code","message","path"}}`) and the reputation lookup members
 * make with their JWT. Times are RFC 3339 strings, absent ones `null`.
 */

const time = z.iso.datetime({ offset: true });

/** `POST /v1/admin/enrollment-keys` (an empty body is one key, one use, valid 7 days). */
export const enrollmentKeyRequestSchema = z.strictObject({
  /** How many members may enroll with it. */
  uses: z.number().int().min(1).max(100_000).optional(),
  /** How long it stays valid, a Go duration (`24h`, `168h`). */
  ttl: goDurationSchema.optional(),
  /** Who it is for, shown in the list. */
  note: z.string().max(200).optional(),
  /** Tags given to members that enroll with it (besides their own). */
  tags: z.array(z.string().min(1).max(64)).max(16).optional(),
});

export const enrollmentKeySchema = z.object({
  key: z.string().min(16),
  uses: z.number().int(),
  expires_at: time,
  note: z.string(),
});

export const memberSchema = z.object({
  machine_id: z.string(),
  /** The name given at enrollment (`cscli console enroll --name`), else "". */
  name: z.string(),
  tags: z.array(z.string()),
  enrolled: z.boolean(),
  enrolled_at: time.nullable(),
  revoked: z.boolean(),
  trust: z.number(),
  corroborated: z.number().int(),
  uncorroborated: z.number().int(),
  safe_reports: z.number().int(),
  created_at: time,
  last_seen: time.nullable(),
  /** Signals received today (UTC) and the daily average over the last 7 days. */
  signals_today: z.number().int(),
  signals_per_day: z.number(),
  /** The engine's version as its metrics say (`v1.4.6-…`), else "". */
  version: z.string(),
});

export const memberListSchema = z.object({
  members: z.array(memberSchema),
  total: z.number().int(),
});

export const revokeAnswerSchema = z.object({
  machine_id: z.string(),
  revoked: z.literal(true),
  /** Keys whose reports by this member were forgotten (and evaluated again). */
  keys_forgotten: z.number().int(),
});

export const classificationSchema = z.enum(["malicious", "suspicious", "safe", "unknown"]);

/** `GET /v1/ip/{ip}`, for members (their JWT) and the operator (admin token). */
export const reputationSchema = z.object({
  ip: z.string(),
  /** The key the commons decides on: the address, or an IPv6 address's /64. */
  key: z.string(),
  listed: z.boolean(),
  /** Distinct enrolled members whose certified reports count in the window. */
  reporters: z.number().int(),
  scenarios: z.array(z.string()),
  first_seen: time.nullable(),
  last_seen: time.nullable(),
  classification: classificationSchema,
  /** Listed until (if no report comes), else null. */
  until: time.nullable(),
  /** Why it is safe or unknown when the policy decides (safe list, reserved range). */
  reason: z.string().nullable(),
});

export const explainReporterSchema = z.object({
  machine_id: z.string(),
  name: z.string(),
  scenario: z.string(),
  counted: z.boolean(),
  /** Why the report does not count: not enrolled, modified scenario, safe list. */
  why: z.string(),
  trust: z.number(),
  /** What it weighs now (trust halved per half-life since its last report); 0 if not counted. */
  weight: z.number(),
  reports: z.number().int(),
  first_at: time,
  last_at: time,
});

/** `GET /v1/admin/explain/{ip}`: why an address is or is not listed. */
export const explainSchema = reputationSchema.extend({
  /** One sentence: the rule that decides. */
  verdict: z.string(),
  score: z.number(),
  /** What listing needs now: reporters and score. */
  needs: z.object({ reporters: z.number().int(), score: z.number(), keep_score: z.number() }),
  reporters_detail: z.array(explainReporterSchema),
});

export const safeEntrySchema = z.object({
  cidr: z.string(),
  source: z.string(),
  reason: z.string(),
});

export const safeListSchema = z.object({
  entries: z.array(safeEntrySchema),
  total: z.number().int(),
  version: z.number().int(),
});

/** `POST /v1/admin/safelist`. */
export const safeAddSchema = z.strictObject({
  cidr: z.string().min(1).max(64),
  reason: z.string().min(1).max(200),
});

/** `PUT /v1/admin/safelist/sources/{name}` answer (the body is the list, text/plain). */
export const safeSourceAnswerSchema = z.object({
  source: z.string(),
  entries: z.number().int(),
  version: z.number().int(),
  /** Listed keys withdrawn because the change covers them. */
  delisted: z.number().int(),
});

export const safeChangeAnswerSchema = z.object({
  version: z.number().int(),
  delisted: z.number().int(),
});

/** `GET /v1/admin/status`: the list and the service at a glance. */
export const commonsStatusSchema = z.object({
  version: z.number().int(),
  listed: z.number().int(),
  published_at: time.nullable(),
  /** The base snapshot full pulls read (KV), or null before the first compaction. */
  base: z
    .object({
      version: z.number().int(),
      entries: z.number().int(),
      /** Its size in KV and how long writing it took (the last compaction). */
      bytes: z.number().int(),
      ms: z.number().int(),
    })
    .nullable(),
  members: z.number().int(),
  enrolled: z.number().int(),
  shards: z.number().int(),
  certified_versions: z.number().int(),
  safe_entries: z.number().int(),
});

export type EnrollmentKeyRequest = z.infer<typeof enrollmentKeyRequestSchema>;
export type EnrollmentKey = z.infer<typeof enrollmentKeySchema>;
export type Member = z.infer<typeof memberSchema>;
export type Reputation = z.infer<typeof reputationSchema>;
export type Explain = z.infer<typeof explainSchema>;
export type ExplainReporter = z.infer<typeof explainReporterSchema>;
export type Classification = z.infer<typeof classificationSchema>;
