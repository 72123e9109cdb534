import { watcherLoginSchema } from "../contract/lapi";
import type { WatcherRef } from "../durable/ledger/index";
import { hashToken } from "../durable/ledger/index";
import { credentialGuard } from "../http/credential-guard";
import { PalisadeHttpError } from "../http/error";
import { BOOTSTRAP_MACHINE } from "../ingest/auth";
import { type ApiContext, json, ledger, parseBody } from "./input";
import { type JwtClaims, signJwt, verifyJwt } from "./jwt";

/**
 * Watcher credentials (CrowdSec agents and cscli): a machine the admin made with role
 * `watcher` logs in with its name and token and gets a JWT naming it and its machine row.
 * Every call checks that row in the Ledger, so a machine the admin deleted (or a JWT for
 * a name that was never a watcher) is refused at once, even before the token expires.
 * The bootstrap PALISADE_MACHINE_TOKEN and `ingest` machines are shippers' tokens: they
 * never log in.
 */

/** CrowdSec's default token lifetime. */
const TOKEN_TTL_S = 3600;
const secrets = new WeakMap<object, Promise<string>>();

function jwtSecret(c: ApiContext): Promise<string> {
  // One Ledger call per isolate: the secret never changes once made.
  let s = secrets.get(c.env.LEDGER);
  if (!s) {
    s = ledger(c).jwtSecret();
    s.catch(() => secrets.delete(c.env.LEDGER));
    secrets.set(c.env.LEDGER, s);
  }
  return s;
}

export async function login(c: ApiContext): Promise<Response> {
  const body = await parseBody(c, watcherLoginSchema, 400);
  if (body.machine_id === BOOTSTRAP_MACHINE) throw ingestOnly(BOOTSTRAP_MACHINE);
  const hash = await hashToken(body.password);
  // A login the Ledger refused lately is refused again without asking it (a guess costs
  // the single Ledger object nothing).
  const credential = `watcher:${body.machine_id}\n${hash}`;
  if (credentialGuard.check(c.req.raw, credential) !== "ask") throw badCredentials();
  const result = await ledger(c).login(body.machine_id, hash);
  if (!result.ok && result.role === "ingest") throw ingestOnly(body.machine_id);
  if (!result.ok) {
    credentialGuard.refused(c.req.raw, credential);
    throw badCredentials();
  }
  const now = Math.floor(Date.now() / 1000);
  return issue(c, { id: body.machine_id, mid: result.mid, exp: now + TOKEN_TTL_S, orig_iat: now });
}

function badCredentials(): PalisadeHttpError {
  return new PalisadeHttpError(401, "bad_credentials", "incorrect Username or Password", {
    path: "body.password",
  });
}

async function issue(c: ApiContext, claims: JwtClaims): Promise<Response> {
  const token = await signJwt(await jwtSecret(c), claims);
  return json({ code: 200, expire: new Date(claims.exp * 1000).toISOString(), token });
}

/** gin-jwt's `GET /v1/refresh_token`: a new hour for a valid session of a live watcher. */
export async function refresh(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  if (!(await ledger(c).heartbeat(who))) throw revoked(who);
  const now = Math.floor(Date.now() / 1000);
  return issue(c, { id: who.machine, mid: who.mid, exp: now + TOKEN_TTL_S, orig_iat: now });
}

function ingestOnly(machine: string): PalisadeHttpError {
  const what =
    machine === BOOTSTRAP_MACHINE
      ? "bootstrap is the PALISADE_MACHINE_TOKEN shippers send"
      : `machine ${machine} is a shipper's (role ingest)`;
  return new PalisadeHttpError(
    403,
    "wrong_role",
    `${what}: it sends logs and cannot log in as a watcher. Make a watcher for this agent or cscli: palisade machines add NAME (role watcher).`,
    { path: "body.machine_id" },
  );
}

/** The watcher behind `Authorization: Bearer <jwt>`; 401 like gin-jwt otherwise. */
export async function watcher(c: ApiContext): Promise<WatcherRef> {
  const header = c.req.header("Authorization") ?? "";
  const token = /^Bearer[ \t]+(\S+)\s*$/i.exec(header)?.[1];
  if (token === undefined) throw unauthorized("auth header is empty");
  const claims = await verifyJwt(await jwtSecret(c), token, Math.floor(Date.now() / 1000));
  if (!claims) throw unauthorized("Token is expired or invalid");
  return { machine: claims.id, mid: claims.mid };
}

function unauthorized(message: string): PalisadeHttpError {
  return new PalisadeHttpError(401, "unauthorized", message, {
    path: "headers.authorization",
    headers: { "WWW-Authenticate": 'JWT realm="palisade"' },
  });
}

/** The Ledger found no watcher for the JWT: removed by the admin, or never one. */
export function revoked(who: WatcherRef): PalisadeHttpError {
  return unauthorized(`machine ${who.machine} is not a registered watcher (anymore)`);
}

/** Agents call it every few seconds; CrowdSec answers 200 with no body. */
export async function heartbeat(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  if (!(await ledger(c).heartbeat(who))) throw revoked(who);
  return new Response(null, { status: 200, headers: { "Cache-Control": "no-store" } });
}
