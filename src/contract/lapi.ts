import { z } from "zod";
import type { LapiDecision } from "./decision";

/**
 * CrowdSec's Local API as Palisade serves it under `/_palisade/v1/` (bouncers point
 * their `api_url` at `https://<host>/_palisade/`). Shapes follow CrowdSec's swagger
 * (pkg/models/localapi_swagger.yaml) and what its controllers actually send: empty lists
 * are `null`, durations are the time remaining in Go's `time.Duration` form, errors are
 * `{"message": …}` (Palisade adds its own `error` object next to it).
 */

export { lapiDecisionListSchema, lapiDecisionSchema, lapiDecisionStreamSchema } from "./decision";

const flag = z
  .enum(["true", "false", "1", "0"], { error: "true or false" })
  .transform((v) => v === "true" || v === "1");
/** A comma-separated list; an empty one (`origins=`) counts as not given. */
const csv = z
  .string()
  .max(4096)
  .transform((v) => {
    const list = v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    return list.length > 0 ? list : undefined;
  });

/** Filters shared by `GET /v1/decisions` and the stream (CrowdSec's decision filters). */
const decisionFilterFields = {
  /** Comma-separated scopes, case-insensitive (`ip`, `range`, `country`, `as`, custom). */
  scopes: csv.optional(),
  /** Comma-separated origins (`crowdsec`, `cscli`, `palisade`, `CAPI`, `lists`, …), exact. */
  origins: csv.optional(),
  /** Comma-separated words: only decisions whose scenario contains one (case-insensitive). */
  scenarios_containing: csv.optional(),
  /** Comma-separated words: only decisions whose scenario contains none of them. */
  scenarios_not_containing: csv.optional(),
};

export const lapiDecisionsQuerySchema = z.object({
  ...decisionFilterFields,
  /** Decisions applying to this IP (with `contains=false`: inside it). */
  ip: z.string().min(1).max(64).optional(),
  /** Decisions applying to this range (`contains=false`: inside it). */
  range: z.string().min(1).max(64).optional(),
  /** One scope (CrowdSec accepts `scope` and `scopes`). */
  scope: csv.optional(),
  value: z.string().min(1).max(256).optional(),
  type: z.string().min(1).max(64).optional(),
  /** Default true: decisions that contain `ip`/`range`; false: decisions contained in it. */
  contains: flag.optional(),
});

export const lapiStreamQuerySchema = z.object({
  ...decisionFilterFields,
  /** The bouncer (re)starts: every active decision is sent as `new`. */
  startup: flag.optional(),
  /**
   * Palisade extension: a sequence number the client keeps (the `X-Palisade-Cursor` of
   * its previous answer); changes after it are sent and no server-side cursor is moved.
   */
  since: z
    .string()
    .regex(/^\d{1,15}$/, { error: "a sequence number (the X-Palisade-Cursor header)" })
    .transform(Number)
    .optional(),
});

/** Scopes the stream sends when the bouncer names none (CrowdSec's default). */
export const DEFAULT_STREAM_SCOPES = ["Ip", "Range"] as const;

/** Header carrying the stream's position: pass it back as `since=` to resume there. */
export const CURSOR_HEADER = "X-Palisade-Cursor";

export const lapiErrorSchema = z.object({
  message: z.string(),
  errors: z.string().optional(),
});

export const watcherLoginSchema = z.object({
  machine_id: z.string().min(1).max(128),
  password: z.string().min(1).max(512),
  scenarios: z.array(z.string()).optional(),
});

export const watcherLoginResponseSchema = z.object({
  code: z.literal(200),
  /** RFC 3339 expiry of the token. */
  expire: z.string(),
  token: z.string(),
});

export const deleteDecisionsQuerySchema = z.object({
  ip: z.string().min(1).max(64).optional(),
  range: z.string().min(1).max(64).optional(),
  scope: z.string().min(1).max(64).optional(),
  value: z.string().min(1).max(256).optional(),
  type: z.string().min(1).max(64).optional(),
  scenario: z.string().min(1).max(256).optional(),
  origin: z.string().min(1).max(64).optional(),
  contains: flag.optional(),
});

export const lapiDeleteResponseSchema = z.object({
  /** CrowdSec sends the count as a string. */
  nbDeleted: z.string(),
});

export type LapiDecisionsQuery = z.infer<typeof lapiDecisionsQuerySchema>;

/** A decision as the Ledger keeps it, enough to render it for a bouncer. */
export interface DecisionFacts {
  id: number;
  uuid: string;
  origin: string;
  type: string;
  scope: string;
  value: string;
  scenario: string;
  /** Expiry, ms since the epoch. */
  until: number;
  /** When it was deleted (ms), for a decision lifted before its expiry. */
  deleted_at?: number | null;
}

/**
 * CrowdSec's decision JSON (its `FormatDecisions`), keys in its order. `duration` is the
 * time left: `until - now` (a deleted decision ends when it was deleted, so a `deleted`
 * entry has a zero or negative duration, as CrowdSec's soft-deleted ones do).
 */
export function toLapiDecision(d: DecisionFacts, now: number): LapiDecision {
  const end = d.deleted_at != null && d.deleted_at < d.until ? d.deleted_at : d.until;
  return {
    duration: lapiDuration(end - now),
    id: d.id,
    origin: d.origin,
    scenario: d.scenario,
    scope: d.scope,
    type: d.type,
    uuid: d.uuid,
    value: d.value,
  };
}

/**
 * Go's `time.Duration.String()` of a remaining time, at whole seconds: `3h59m12s`,
 * `1m0s`, `45s`, `0s`, `-2m5s`. A live decision never shows less than `1s` (rounded up),
 * since some bouncers read a zero duration as "no timeout".
 */
export function lapiDuration(ms: number): string {
  const s = ms > 0 ? Math.ceil(ms / 1000) : -Math.floor(-ms / 1000);
  if (s === 0) return "0s";
  const sign = s < 0 ? "-" : "";
  let rest = Math.abs(s);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  if (h > 0) return `${sign}${h}h${m}m${rest}s`;
  if (m > 0) return `${sign}${m}m${rest}s`;
  return `${sign}${rest}s`;
}
