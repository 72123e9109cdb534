import { z } from "zod";
import { goDurationSchema } from "./duration";

/**
 * CrowdSec's Central API (v2) as the Debian CrowdSec 1.4.6 engine speaks it, which the
 * commons Worker (src/commons) serves at its root. Shapes follow CrowdSec's models
 * (pkg/models) and what the engine was observed sending and accepting
 * (../shared/peers/crowdsec-capi-1.4.6.md). Requests are read leniently where later
 * engines add fields (objects are loose); answers are exactly what 1.4.6 accepts.
 */

/** A machine id as engines generate it: /etc/machine-id (32 hex) + 16 random characters. */
export const machineIdSchema = z
  .string()
  .min(16, { error: "at least 16 characters (CrowdSec engines send 48)" })
  .max(128, { error: "at most 128 characters" })
  .regex(/^[A-Za-z0-9_.-]+$/, { error: "letters, digits, '_', '.' and '-' only" });

/** Engines send 64 random alphanumerics; a short one is refused, not stored weakly. */
export const machinePasswordSchema = z
  .string()
  .min(16, { error: "at least 16 characters (CrowdSec engines send 64 random ones)" })
  .max(256, { error: "at most 256 characters" });

/** `POST /v2/watchers` → `201` with an empty body. */
export const capiRegisterSchema = z.looseObject({
  machine_id: machineIdSchema,
  password: machinePasswordSchema,
});

/** `POST /v2/watchers/login`; `scenarios` may be `[]` on a fresh engine's first login. */
export const capiLoginSchema = z.looseObject({
  machine_id: machineIdSchema,
  password: z.string().min(1).max(256),
  scenarios: z.array(z.string().max(256)).max(10_000).nullish(),
});

/** The login answer gin-jwt gives and the engine's JWT transport reads. */
export const capiLoginAnswerSchema = z.object({
  code: z.literal(200),
  expire: z.iso.datetime({ offset: true }),
  token: z.string().min(1),
});

/** `POST /v2/watchers/enroll` (`cscli console enroll [--name N] [--tags T]... KEY`). */
export const capiEnrollSchema = z.looseObject({
  attachment_key: z.string().min(1, { error: "the enrollment key is empty" }).max(256),
  name: z.string().max(128).nullish(),
  tags: z.array(z.string().max(64)).max(32).nullish(),
  overwrite: z.boolean().nullish(),
});

/** `POST /v2/metrics/`: what the engine reports about its machines and bouncers. */
export const capiMetricsSchema = z.looseObject({
  apil_version: z.string().max(128).nullish(),
  machines: z
    .array(
      z.looseObject({
        name: z.string().max(256).nullish(),
        version: z.string().max(128).nullish(),
        last_push: z.string().max(128).nullish(),
        last_update: z.string().max(128).nullish(),
      }),
    )
    .max(10_000)
    .nullish(),
  bouncers: z
    .array(
      z.looseObject({
        name: z.string().max(256).nullish(),
        custom_name: z.string().max(256).nullish(),
        version: z.string().max(128).nullish(),
        last_pull: z.string().max(128).nullish(),
      }),
    )
    .max(10_000)
    .nullish(),
});

/** `GET /v2/decisions/stream` query: `startup=true` on an engine's first pull after start. */
export const capiStreamQuerySchema = z.object({
  startup: z
    .enum(["true", "false", "1", "0"], { error: "true or false" })
    .transform((v) => v === "true" || v === "1")
    .optional(),
  /**
   * Palisade extension: the `X-Palisade-Cursor` of the previous answer. Changes after it
   * are sent and the member's server-side cursor is not moved.
   */
  since: z
    .string()
    .regex(/^\d{1,15}$/, { error: "a sequence number (the X-Palisade-Cursor header)" })
    .transform(Number)
    .optional(),
});

/**
 * One decision of the stream, the flat LAPI-like form: the only one 1.4.6 accepts (the
 * grouped form of later CAPI versions crashes its pull routine).
 */
export const capiStreamDecisionSchema = z.object({
  duration: goDurationSchema,
  origin: z.literal("CAPI"),
  scenario: z.string(),
  scope: z.enum(["Ip", "Range"]),
  type: z.literal("ban"),
  value: z.string().min(1),
});

export const capiStreamSchema = z.object({
  new: z.array(capiStreamDecisionSchema),
  deleted: z.array(capiStreamDecisionSchema),
});

/** Palisade's `since=` answer: the CAPI shape plus the position to resume from. */
export const capiCursorStreamSchema = capiStreamSchema.extend({
  seq: z.number().int().nonnegative(),
  /** True when `since` was older than the retained history: `new` is then the whole list. */
  full: z.boolean(),
});

/** Success and error bodies: `{"message": …}` as CrowdSec's API answers. */
export const capiMessageSchema = z.looseObject({ message: z.string() });

export type CapiRegister = z.infer<typeof capiRegisterSchema>;
export type CapiLogin = z.infer<typeof capiLoginSchema>;
export type CapiLoginAnswer = z.infer<typeof capiLoginAnswerSchema>;
export type CapiEnroll = z.infer<typeof capiEnrollSchema>;
export type CapiMetrics = z.infer<typeof capiMetricsSchema>;
export type CapiStreamDecision = z.infer<typeof capiStreamDecisionSchema>;
export type CapiStream = z.infer<typeof capiStreamSchema>;
export type CapiCursorStream = z.infer<typeof capiCursorStreamSchema>;
