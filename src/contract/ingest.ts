import { z } from "zod";
import { isValidTimezone } from "../core/parser/timezone";

/**
 * `POST /_palisade/v1/ingest` (DESIGN.md "Contracts"): a batch of raw log lines of one
 * source type. Fields may be added later, never required; unknown keys are ignored.
 *
 * JSON form (`Content-Type: application/json`):
 *   `{"batch_id":"…","source":{"type":"nginx","labels":{…}},"lines":["raw line", …]}`
 *
 * NDJSON form (`Content-Type: application/x-ndjson`): the first line is the header object
 * (`batch_id`, `source`, optionally `lines`); every following line is one log line,
 * either as a JSON string (`"1.2.3.4 - - [...] \"GET / HTTP/1.1\" 200 …"`, for lines that
 * hold control characters) or raw, as read from the log. A line is decoded as JSON only
 * when it starts with `"` and is a valid JSON string; otherwise it is taken verbatim
 * (a trailing `\r` removed). Blank lines are skipped.
 *
 * Either form may be gzip-compressed (`Content-Encoding: gzip`). The body limit
 * (MAX_INGEST_BYTES, 5 MB by default) applies to the compressed and decompressed sizes.
 */

/** A longer line is a client bug or an attack: the whole batch is rejected (422). */
export const MAX_LINE_CHARS = 65_536;
/** At most this many lines per batch; shippers cut larger ones. */
export const MAX_LINES = 100_000;
const MAX_LABELS = 32;

const batchIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, { error: "printable ASCII without spaces (a UUID, a file offset…)" });

const ingestSourceSchema = z.object({
  /** Acquisition type: `nginx`, `apache2`, `syslog`, `traefik`, `journald`. */
  type: z.string().min(1).max(64),
  /** Acquisition labels, copied into every event's `Line.Labels` (`type` is set from `type`). */
  labels: z
    .record(z.string().max(128), z.string().max(1024))
    .refine((l) => Object.keys(l).length <= MAX_LABELS, {
      error: `at most ${MAX_LABELS} labels`,
    })
    .optional(),
  /** Where the lines come from (a file path, `journald`): the events' `Line.Src`. */
  name: z.string().max(1024).optional(),
  /** IANA zone for timestamps without an offset (default UTC). */
  timezone: z
    .string()
    .min(1)
    .max(64)
    .refine(isValidTimezone, { error: "not an IANA time zone (like Europe/Paris, UTC)" })
    .optional(),
  /** Year for yearless syslog timestamps (default: the current UTC year). */
  year: z.number().int().min(1970).max(9999).optional(),
});

const ingestLineSchema = z
  .string()
  .max(MAX_LINE_CHARS, { error: `a log line longer than ${MAX_LINE_CHARS} characters` });

const ingestHeaderSchema = z.object({
  batch_id: batchIdSchema,
  source: ingestSourceSchema,
});

export const ingestBatchSchema = ingestHeaderSchema.extend({
  lines: z.array(ingestLineSchema).max(MAX_LINES, { error: `at most ${MAX_LINES} lines` }),
});

const count = z.number().int().nonnegative();

/**
 * The 200 answer. `accepted` lines were read from the batch; `parsed` + `unparsed` =
 * `accepted`; `filtered` parsed events matched no scenario (or carried no source IP to
 * route them by) and went no further;
 * `forwarded` events were poured into their source's Durable Object during the request,
 * `queued` ones go through the ingest queue; `sources` is the number of distinct
 * sources (IPs, IPv6 /64s) they belong to. `alerts` and `decisions` count what the
 * forwarded part produced. `edge_covered` (present when not 0) counts the http access
 * events left out of `filtered` because edge-native detection already counts those
 * requests (EDGE_DETECTION; src/ingest/edge-coverage.ts). A batch id already completed
 * answers its original counts with `"duplicate": true`.
 */
export const ingestResponseSchema = z.object({
  batch_id: batchIdSchema,
  accepted: count,
  parsed: count,
  unparsed: count,
  filtered: count,
  forwarded: count,
  queued: count,
  sources: count,
  alerts: count,
  decisions: count,
  edge_covered: count.optional(),
  duplicate: z.boolean().optional(),
});

export type IngestBatch = z.infer<typeof ingestBatchSchema>;
export type IngestResponse = z.infer<typeof ingestResponseSchema>;
export type IngestCounts = Omit<IngestResponse, "batch_id" | "duplicate">;
