import type { z } from "zod";
import { type IngestBatch, ingestBatchSchema } from "../contract/ingest";
import { PalisadeHttpError } from "../http/error";

/**
 * The ingest body: content type (415), size (413, before and after gzip), syntax (400),
 * shape (422 with the offending path). Nothing here touches state, so a rejected batch
 * changes nothing.
 */

export type BodyKind = "json" | "ndjson";

const KINDS: Readonly<Record<string, BodyKind>> = {
  "application/json": "json",
  "application/x-ndjson": "ndjson",
  "application/ndjson": "ndjson",
  "application/jsonl": "ndjson",
};

export function bodyKind(request: Request): BodyKind {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
  const kind = type ? KINDS[type] : undefined;
  if (kind) return kind;
  throw new PalisadeHttpError(
    415,
    "unsupported_media_type",
    `Content-Type ${JSON.stringify(type ?? "")} is not accepted; send application/json or application/x-ndjson.`,
    { path: "headers.content-type" },
  );
}

/** The body as text, at most `maxBytes` on the wire and once decompressed. */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const encoding = (request.headers.get("Content-Encoding") ?? "identity").trim().toLowerCase();
  const gzip = encoding === "gzip" || encoding === "x-gzip";
  if (!gzip && encoding !== "identity" && encoding !== "") {
    throw new PalisadeHttpError(
      415,
      "unsupported_encoding",
      `Content-Encoding ${JSON.stringify(encoding)} is not accepted; send gzip or nothing.`,
      { path: "headers.content-encoding" },
    );
  }
  const declared = Number(request.headers.get("Content-Length") ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes, "body");
  if (!request.body) return "";
  let bytes = await collect(request.body, maxBytes, "body");
  if (gzip) {
    const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    try {
      bytes = await collect(inflated, maxBytes, "decompressed body");
    } catch (e) {
      if (e instanceof PalisadeHttpError) throw e;
      throw new PalisadeHttpError(400, "bad_gzip", `The body is not valid gzip: ${String(e)}.`);
    }
  }
  // Logs hold stray bytes: they become U+FFFD, as a Go string would carry them.
  return new TextDecoder("utf-8").decode(bytes);
}

async function collect(
  stream: ReadableStream<Uint8Array>,
  max: number,
  what: string,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(max, what);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function tooLarge(max: number, what: string): PalisadeHttpError {
  return new PalisadeHttpError(
    413,
    "payload_too_large",
    `The ${what} exceeds MAX_INGEST_BYTES (${max} bytes); send smaller batches.`,
  );
}

/** The batch from its text, validated against the contract (src/contract/ingest.ts). */
export function parseBatch(text: string, kind: BodyKind): IngestBatch {
  const value = kind === "json" ? parseJson(text, "body") : parseNdjson(text);
  const r = ingestBatchSchema.safeParse(value);
  if (r.success) return r.data;
  throw invalid(r.error.issues);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PalisadeHttpError(400, "bad_json", `The ${where} is not valid JSON: ${String(e)}`, {
      path: where,
    });
  }
}

/** First line: the header object; then one log line per line, raw or as a JSON string. */
function parseNdjson(text: string): unknown {
  const rows = text.split("\n");
  let i = 0;
  while (i < rows.length && (rows[i] as string).trim() === "") i++;
  const header = parseJson((rows[i] ?? "").trim(), "NDJSON header (line 1)");
  if (typeof header !== "object" || header === null || Array.isArray(header)) return header;
  const h = header as { lines?: unknown };
  if (h.lines !== undefined && !Array.isArray(h.lines)) return header;
  const lines: unknown[] = h.lines ? [...h.lines] : [];
  for (i++; i < rows.length; i++) {
    let row = rows[i] as string;
    if (row.endsWith("\r")) row = row.slice(0, -1);
    if (row.trim() === "") continue;
    lines.push(row.charCodeAt(0) === 34 ? jsonStringOr(row) : row);
  }
  return { ...header, lines };
}

function jsonStringOr(row: string): string {
  try {
    const v: unknown = JSON.parse(row);
    return typeof v === "string" ? v : row;
  } catch {
    return row;
  }
}

function invalid(issues: readonly z.core.$ZodIssue[]): PalisadeHttpError {
  const first = issues[0];
  const path = first ? formatPath(first.path) : "";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : "";
  const where = path || "body";
  return new PalisadeHttpError(
    422,
    "invalid_batch",
    `${where}: ${first?.message ?? "invalid"}${more}. Expected {"batch_id","source":{"type","labels"},"lines":[…]}.`,
    { path: where },
  );
}

/** `["lines", 3]` → `lines[3]`, `["source","type"]` → `source.type`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
