import type { Context, MiddlewareHandler } from "hono";
import type { WaitUntil } from "./blocklist-cache";
import { Enforcer, type PalisadeBindings, type PalisadeOptions } from "./enforcer";

export type { PalisadeBindings, PalisadeOptions } from "./enforcer";

/**
 * Palisade's enforcement as a Hono middleware: `app.use("*", palisade())` in any Hono app
 * on Workers with a `BLOCKLIST` KV binding. A visitor with a live decision is stopped here
 * (ban: 403; captcha: a Turnstile page unless it holds a clearance cookie; throttle: 429
 * with Retry-After; other types: 403, as CrowdSec bouncers' default fallback remediation);
 * anyone else goes on to the app's handlers. Allowlisted addresses always pass. Paths under
 * `/_palisade/` are Palisade's own and are not enforced; the captcha form's POST route is
 * served by the middleware itself. Nothing here writes to KV.
 */
export function palisade(
  options: PalisadeOptions = {},
): MiddlewareHandler<{ Bindings: PalisadeBindings }> {
  return palisadeWith(new Enforcer(options));
}

/** The middleware around an existing enforcer (the Worker shares one with its fast path). */
export function palisadeWith(
  enforcer: Enforcer,
): MiddlewareHandler<{ Bindings: PalisadeBindings }> {
  return async (c, next) => {
    const stop = await enforcer.guard(c.req.raw, c.env, c.req.path, waitUntilOf(c));
    if (stop) return stop;
    await next();
  };
}

function waitUntilOf(c: Context): WaitUntil {
  return (promise) => {
    try {
      c.executionCtx.waitUntil(promise);
    } catch {
      // No ExecutionContext (a plain app.fetch(request, env)): the promise runs detached.
      promise.catch(() => undefined);
    }
  };
}
