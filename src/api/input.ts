import type { Context } from "hono";
import type { z } from "zod";
import { ledgerOf } from "../durable/ledger/index";
import type { Env } from "../env";
import { PalisadeHttpError } from "../http/error";
import { formatPath } from "../ingest/body";

/** Request parsing shared by the bouncer, watcher and admin routes. */

export type ApiContext = Context<{ Bindings: Env }>;

/** Largest JSON body the API reads (watchers push alerts with their events). */
const MAX_API_BODY = 5 * 1024 * 1024;

/** The query string against `schema`; 422 (400 on the LAPI) naming `query.<key>`. */
export function parseQuery<S extends z.ZodType>(
  c: ApiContext,
  schema: S,
  status: 400 | 422 = 422,
): z.output<S> {
  const r = schema.safeParse(c.req.query());
  if (r.success) return r.data;
  throw invalid(r.error.issues, "query", status);
}

/** The JSON body against `schema`; 400 for bad JSON, 413 past MAX_API_BODY, 422 (or 400) with the path. */
export async function parseBody<S extends z.ZodType>(
  c: ApiContext,
  schema: S,
  status: 400 | 422 = 422,
): Promise<z.output<S>> {
  const declared = Number(c.req.header("Content-Length") ?? "0");
  if (declared > MAX_API_BODY) throw tooLarge();
  const text = await c.req.text();
  if (text.length > MAX_API_BODY) throw tooLarge();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PalisadeHttpError(400, "bad_json", `The body is not valid JSON: ${String(e)}`, {
      path: "body",
    });
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw invalid(r.error.issues, "body", status);
}

/** A positive integer path parameter (an id); 400 naming it otherwise. */
export function idParam(c: ApiContext, name: string): number {
  const text = c.req.param(name) ?? "";
  if (!/^\d{1,15}$/.test(text)) {
    throw new PalisadeHttpError(
      400,
      "invalid_id",
      `${name} must be a positive integer, not ${JSON.stringify(text)}.`,
      {
        path: `params.${name}`,
      },
    );
  }
  return Number(text);
}

export function ledger(c: ApiContext) {
  return ledgerOf(c.env);
}

export function invalid(
  issues: readonly z.core.$ZodIssue[],
  where: "query" | "body",
  status: 400 | 422,
): PalisadeHttpError {
  const first = issues[0];
  const rel = first ? formatPath(first.path) : "";
  const path = rel === "" ? where : rel.startsWith("[") ? `${where}${rel}` : `${where}.${rel}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : "";
  return new PalisadeHttpError(
    status,
    where === "query" ? "invalid_query" : "invalid_body",
    `${path}: ${first?.message ?? "invalid"}${more}.`,
    { path },
  );
}

function tooLarge(): PalisadeHttpError {
  return new PalisadeHttpError(413, "body_too_large", `The body exceeds ${MAX_API_BODY} bytes.`, {
    path: "body",
  });
}

/** JSON with `no-store`: nothing the API answers may be cached by a proxy. */
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
