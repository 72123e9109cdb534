import type { Context, ErrorHandler } from "hono";
import type { z } from "zod";
import { errorResponse, PalisadeHttpError, toPalisadeError } from "../http/error";
import { CommonsConfigError } from "./config";
import type { Refusal } from "./durable/outcome";
import type { CommonsEnv } from "./env";

/**
 * The commons' HTTP plumbing: bodies read against the contract's schemas, refusals from
 * the Durable Objects turned into the one HTTP error type, and one `onError` that renders
 * CrowdSec's `{"message": …}` on the Central API paths (/v2, which engines log) and
 * Palisade's `{"error": {code, message, path}}` everywhere, both in one body.
 */

export type CommonsContext = Context<{ Bindings: CommonsEnv; Variables: { member: string } }>;

/** Largest body read: 1,000 signals with their decisions stay well under it. */
const MAX_BODY = 4 * 1024 * 1024;

export async function readJson<S extends z.ZodType>(
  c: CommonsContext,
  schema: S,
  status: 400 | 422,
): Promise<z.output<S>> {
  const text = await readText(c);
  let value: unknown;
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch (e) {
    throw new PalisadeHttpError(400, "bad_json", `The body is not valid JSON: ${String(e)}.`, {
      path: "body",
    });
  }
  return validate(value, schema, "body", status);
}

export async function readText(c: CommonsContext): Promise<string> {
  if (Number(c.req.header("Content-Length") ?? "0") > MAX_BODY) throw tooLarge();
  const text = await c.req.text();
  if (text.length > MAX_BODY) throw tooLarge();
  return text;
}

export function validate<S extends z.ZodType>(
  value: unknown,
  schema: S,
  where: "body" | "query",
  status: 400 | 422,
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const rel = first ? formatPath(first.path) : "";
  const path = rel === "" ? where : rel.startsWith("[") ? `${where}${rel}` : `${where}.${rel}`;
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problems)` : "";
  throw new PalisadeHttpError(
    status,
    where === "query" ? "invalid_query" : "invalid_body",
    `${path}: ${first?.message ?? "invalid"}${more}.`,
    { path },
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function tooLarge(): PalisadeHttpError {
  return new PalisadeHttpError(413, "body_too_large", `The body exceeds ${MAX_BODY} bytes.`, {
    path: "body",
  });
}

/** The value of an Outcome, or its refusal thrown as the HTTP error. */
export function granted<T>(out: { ok: true; value: T } | Refusal): T {
  if (out.ok) return out.value;
  throw new PalisadeHttpError(
    out.status,
    out.code,
    out.message,
    out.path === undefined ? {} : { path: out.path },
  );
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      ...headers,
    },
  });
}

export const onCommonsError: ErrorHandler = (err, c) => {
  const e =
    err instanceof CommonsConfigError
      ? new PalisadeHttpError(500, "bad_config", err.message)
      : toPalisadeError(err, c);
  if (!c.req.path.startsWith("/v2/")) return errorResponse(e);
  const headers = new Headers(e.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  return new Response(JSON.stringify({ message: e.message, ...e.toBody() }), {
    status: e.status,
    headers,
  });
};
