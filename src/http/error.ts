import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "../contract/error";

/**
 * The one error type of Palisade's HTTP surface. Every `/_palisade/` error renders as
 * `{"error":{"code","message","path"}}` through `onError`, so clients (shipper, CLI,
 * bouncers) branch on a stable `code`, never on message text. The body's schema is
 * src/contract/error.ts.
 */

export interface PalisadeHttpErrorOptions {
  /** Where in the request the problem is: a body field (`lines[3]`), a header, a query key. */
  path?: string;
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`, …). */
  headers?: Record<string, string>;
  cause?: unknown;
  /** A refused upload's problems (ErrorBody's `diagnostics`). */
  diagnostics?: ErrorBody["diagnostics"];
}

export class PalisadeHttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly path: string | undefined;
  readonly headers: Record<string, string>;
  readonly diagnostics: ErrorBody["diagnostics"];

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: PalisadeHttpErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PalisadeHttpError";
    this.status = status;
    this.code = code;
    this.path = options.path;
    this.headers = options.headers ?? {};
    this.diagnostics = options.diagnostics;
  }

  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.path !== undefined) error.path = this.path;
    return this.diagnostics === undefined ? { error } : { error, diagnostics: this.diagnostics };
  }
}

/** The JSON response for an error; `no-store` so no cache in front keeps an error for others. */
export function errorResponse(err: PalisadeHttpError): Response {
  const headers = new Headers(err.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(err.toBody()), { status: err.status, headers });
}

/** Hono's `onError`: Palisade errors as they are, Hono's own as their status, anything else as 500. */
export const onError: ErrorHandler = (err, c) => errorResponse(toPalisadeError(err, c));

/** Hono's `notFound` for the `/_palisade/` surface. */
export const notFound: NotFoundHandler = (c) =>
  errorResponse(
    new PalisadeHttpError(404, "not_found", `No Palisade route ${c.req.method} ${c.req.path}.`),
  );

export function toPalisadeError(err: unknown, c?: Context): PalisadeHttpError {
  if (err instanceof PalisadeHttpError) return err;
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return new PalisadeHttpError(status, `http_${status}`, err.message || "Request rejected.");
  }
  // A bug: log it with the route so it can be found, answer without leaking internals.
  console.error("palisade.http.internal", {
    method: c?.req.method,
    path: c?.req.path,
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  return new PalisadeHttpError(500, "internal", "Internal error; the event has been logged.");
}
