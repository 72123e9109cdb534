import type { MiddlewareHandler } from "hono";
import { signJwt, verifyJwt } from "../api/jwt";
import { PalisadeHttpError } from "../http/error";
import { hashToken, sameHash } from "./durable/secret";
import type { CommonsEnv } from "./env";

/**
 * Who is calling: a member by the JWT it got at login (HS256, `id` = its machine_id, as
 * CrowdSec's Central API issues them), or the operator by COMMONS_ADMIN_TOKEN. A JWT only
 * says who; every route still asks the Registry whether that member exists, is not
 * revoked and is enrolled, so revocation takes effect at once.
 */

type Env = { Bindings: CommonsEnv; Variables: { member: string } };

export function bearerOf(header: string | undefined): string | undefined {
  return header ? /^Bearer[ \t]+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

function adminToken(env: CommonsEnv): string {
  const t = env.COMMONS_ADMIN_TOKEN;
  if (!t)
    throw new PalisadeHttpError(
      503,
      "admin_not_configured",
      "The commons is closed: COMMONS_ADMIN_TOKEN is not set (wrangler secret put COMMONS_ADMIN_TOKEN -c wrangler.commons.toml, or .dev.vars locally).",
    );
  return t;
}

/** The HMAC key of members' JWTs: COMMONS_JWT_SECRET, else one derived from the admin token. */
export function jwtSecret(env: CommonsEnv): string {
  return env.COMMONS_JWT_SECRET || `palisade-commons-jwt\u0000${adminToken(env)}`;
}

export function issueToken(env: CommonsEnv, id: string, now: number, ttlMs: number) {
  const exp = Math.floor((now + ttlMs) / 1000);
  // `mid` is the Worker's machine row; a commons member is known by `id` alone.
  return signJwt(jwtSecret(env), { id, mid: 0, exp, orig_iat: Math.floor(now / 1000) }).then(
    (token) => ({
      token,
      expire: new Date(exp * 1000).toISOString(),
    }),
  );
}

let cachedAdmin: { token: string; hash: string } | undefined;

export async function isAdmin(env: CommonsEnv, token: string): Promise<boolean> {
  const expected = adminToken(env);
  if (cachedAdmin?.token !== expected)
    cachedAdmin = { token: expected, hash: await hashToken(expected) };
  return sameHash(await hashToken(token), cachedAdmin.hash);
}

export const adminAuth: MiddlewareHandler<Env> = async (c, next) => {
  const token = bearerOf(c.req.header("Authorization"));
  if (token === undefined)
    throw new PalisadeHttpError(
      401,
      "unauthenticated",
      "Send Authorization: Bearer <COMMONS_ADMIN_TOKEN>.",
      {
        path: "headers.authorization",
        headers: { "WWW-Authenticate": 'Bearer realm="palisade-commons-admin"' },
      },
    );
  if (!(await isAdmin(c.env, token)))
    throw new PalisadeHttpError(
      403,
      "forbidden",
      "This is not the commons' admin token (COMMONS_ADMIN_TOKEN).",
      {
        path: "headers.authorization",
      },
    );
  await next();
};

/** The member's JWT; sets `member` (its machine_id). */
export const memberAuth: MiddlewareHandler<Env> = async (c, next) => {
  c.set("member", await memberOf(c.req.header("Authorization"), c.env));
  await next();
};

/** The operator (admin token) or a member (JWT), for routes both may call. */
export async function callerOf(
  header: string | undefined,
  env: CommonsEnv,
): Promise<{ admin: true } | { admin: false; member: string }> {
  const token = bearerOf(header);
  if (token !== undefined && !token.includes(".") && (await isAdmin(env, token)))
    return { admin: true };
  return { admin: false, member: await memberOf(header, env) };
}

async function memberOf(header: string | undefined, env: CommonsEnv): Promise<string> {
  const token = bearerOf(header);
  if (token === undefined)
    throw new PalisadeHttpError(
      401,
      "unauthenticated",
      "Send Authorization: Bearer <token> with the token POST /v2/watchers/login gave.",
      { path: "headers.authorization" },
    );
  const claims = await verifyJwt(jwtSecret(env), token, Math.floor(Date.now() / 1000));
  if (!claims)
    throw new PalisadeHttpError(
      401,
      "bad_token",
      "The token is not valid here or has expired: log in again (POST /v2/watchers/login).",
      { path: "headers.authorization" },
    );
  return claims.id;
}
