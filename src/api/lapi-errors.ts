import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { PalisadeHttpError } from "../http/error";

/**
 * CrowdSec's clients (bouncers, agents, cscli) read an error's `message`; Palisade's read
 * `error.code`. On the LAPI routes an error carries both: `{"message": …, "error": {…}}`,
 * so `PalisadeHttpError` stays the one error type. Registered before the LAPI routes, it
 * rewrites what the app's `onError` rendered for them.
 */
const LAPI_PREFIXES = [
  "/_palisade/v1/decisions",
  "/_palisade/v1/alerts",
  "/_palisade/v1/watchers",
  "/_palisade/v1/heartbeat",
] as const;

export const lapiErrors: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  await next();
  const err = c.error;
  if (!(err instanceof PalisadeHttpError) || !isLapiPath(c.req.path)) return;
  c.res = lapiErrorResponse(err);
};

function isLapiPath(path: string): boolean {
  return LAPI_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

function lapiErrorResponse(err: PalisadeHttpError): Response {
  const headers = new Headers(err.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  const body = { message: err.message, ...err.toBody() };
  return new Response(JSON.stringify(body), { status: err.status, headers });
}
