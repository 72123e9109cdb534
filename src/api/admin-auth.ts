import type { MiddlewareHandler } from "hono";
import { hashToken, sameHash } from "../durable/ledger/index";
import type { Env } from "../env";
import { credentialGuard } from "../http/credential-guard";
import { PalisadeHttpError } from "../http/error";

/**
 * The admin API's bearer token, PALISADE_ADMIN_TOKEN (a secret). Both sides are hashed
 * and compared in constant time. 401 without a token, 403 for a wrong one, 503 while the
 * secret is not set (the admin API is then closed, never open).
 */

export const ADMIN_PREFIX = "/_palisade/v1/admin";
const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="palisade-admin"' };
let cached: { token: string; hash: string } | undefined;

export const adminAuth: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const expected = c.env.PALISADE_ADMIN_TOKEN;
  if (!expected) {
    throw new PalisadeHttpError(
      503,
      "admin_not_configured",
      "The admin API is closed: PALISADE_ADMIN_TOKEN is not set (wrangler secret put PALISADE_ADMIN_TOKEN, or .dev.vars locally).",
    );
  }
  const header = c.req.header("Authorization");
  const token = header ? /^Bearer[ \t]+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (token === undefined) {
    throw new PalisadeHttpError(
      401,
      "unauthenticated",
      "Send Authorization: Bearer <PALISADE_ADMIN_TOKEN>.",
      { path: "headers.authorization", headers: CHALLENGE },
    );
  }
  if (cached?.token !== expected) cached = { token: expected, hash: await hashToken(expected) };
  const hash = await hashToken(token);
  // No Ledger call here, but a brute force still meets the per-address failure budget.
  const known = credentialGuard.check(c.req.raw, `admin:${hash}`) === "known_bad";
  if (known || !sameHash(hash, cached.hash)) {
    if (!known) credentialGuard.refused(c.req.raw, `admin:${hash}`);
    throw new PalisadeHttpError(
      403,
      "forbidden",
      "This is not the admin token (PALISADE_ADMIN_TOKEN).",
      {
        path: "headers.authorization",
      },
    );
  }
  await next();
};

/**
 * Whether the request carries the admin token: what lets an operator whose own address
 * is banned still reach the admin API to lift it (the edge's own-route guard asks this
 * only for a source with a live decision).
 */
export async function isAdminRequest(
  request: Request,
  env: { PALISADE_ADMIN_TOKEN?: string | undefined } | undefined,
): Promise<boolean> {
  const expected = env?.PALISADE_ADMIN_TOKEN;
  const header = request.headers.get("Authorization");
  const token = header ? /^Bearer[ \t]+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (!expected || token === undefined) return false;
  if (cached?.token !== expected) cached = { token: expected, hash: await hashToken(expected) };
  return sameHash(await hashToken(token), cached.hash);
}
