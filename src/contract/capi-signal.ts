import { z } from "zod";

/**
 * `POST /v2/signals`: a JSON array of signals, at most 50 per request from 1.4.6 (its
 * bulk size), each one alert of the engine (pkg/models/add_signals_request_item.go).
 * 1.4.6 sends no `uuid`, `created_at`, `decisions` or AS/country; later engines do. What
 * the commons keeps is the scenario, its digest and version, the source and the time it
 * received the signal: never `message` or any log content.
 */

const rfc3339 = z
  .string()
  .max(64)
  .refine((t) => !Number.isNaN(Date.parse(t)), {
    error: "an RFC 3339 time, like 2026-12-04T15:26:01.270336245Z",
  });

export const capiSignalSourceSchema = z.looseObject({
  /** `Ip` (any case) or `Range`; other scopes are accepted and left out of consensus. */
  scope: z.string().min(1).max(64),
  value: z.string().min(1).max(256),
  ip: z.string().max(64).nullish(),
  range: z.string().max(64).nullish(),
  as_number: z.string().max(32).nullish(),
  as_name: z.string().max(256).nullish(),
  cn: z.string().max(8).nullish(),
});

export const capiSignalSchema = z.looseObject({
  scenario: z.string().min(1).max(256),
  /** sha256 of the scenario file, hex; empty for a custom (local, unpublished) scenario. */
  scenario_hash: z.string().max(128),
  scenario_version: z.string().max(64),
  /** What the engine thinks: `certified`, `tainted`, `custom`, `manual`. Not trusted. */
  scenario_trust: z.string().max(32).nullish(),
  message: z.string().max(4096).nullish(),
  source: capiSignalSourceSchema,
  start_at: rfc3339,
  stop_at: rfc3339,
  created_at: z.string().max(64).nullish(),
  /** The engine's local machine, not the member: the JWT says who the member is. */
  machine_id: z.string().max(256).nullish(),
  /** Present from later engines; 1.4.6 sends none (the commons derives one). */
  uuid: z.string().min(1).max(128).nullish(),
  decisions: z.array(z.looseObject({})).max(1000).nullish(),
});

/** Largest batch the commons reads in one request (1.4.6 sends 50 at most). */
export const MAX_SIGNALS_PER_REQUEST = 1000;

export const capiSignalBatchSchema = z
  .array(capiSignalSchema)
  .max(MAX_SIGNALS_PER_REQUEST, { error: `at most ${MAX_SIGNALS_PER_REQUEST} signals a request` });

export type CapiSignal = z.infer<typeof capiSignalSchema>;
