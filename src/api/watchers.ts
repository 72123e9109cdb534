import { configOf } from "../config";
import {
  deleteDecisionsQuerySchema,
  lapiDeleteResponseSchema,
  lapiErrorSchema,
  watcherLoginResponseSchema,
  watcherLoginSchema,
} from "../contract/lapi";
import {
  type LapiAlertIn,
  lapiAlertListSchema,
  lapiAlertsCreatedSchema,
  lapiAlertsInSchema,
  lapiAlertsQuerySchema,
} from "../contract/lapi-alert";
import { checkDuration, type DurationBound } from "../core/duration";
import type { WatcherRef } from "../durable/ledger/index";
import { hashToken, sameHash } from "../durable/ledger/index";
import type { Env } from "../env";
import { credentialGuard } from "../http/credential-guard";
import { PalisadeHttpError } from "../http/error";
import { BOOTSTRAP_MACHINE } from "../ingest/auth";
import { lapiAlertQuery, lapiFilter } from "./filters";
import { type ApiContext, idParam, json, ledger, parseBody, parseQuery } from "./input";
import { type JwtClaims, signJwt, verifyJwt } from "./jwt";
import type { RouteDef } from "./route";

/**
 * Watcher endpoints (CrowdSec agents and cscli): login with a machine's name and token,
 * then a Bearer JWT to push and read alerts and delete decisions. The bootstrap machine
 * (`bootstrap` / PALISADE_MACHINE_TOKEN) may log in too. A machine removed by the admin
 * API loses access at once, its unexpired tokens included (the Ledger checks it).
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

async function login(c: ApiContext): Promise<Response> {
  const body = await parseBody(c, watcherLoginSchema, 400);
  const hash = await hashToken(body.password);
  const credential = `watcher:${body.machine_id}\n${hash}`;
  const bootstrap = body.machine_id === BOOTSTRAP_MACHINE;
  // The bootstrap machine is checked here; a registered one costs a Ledger call, so a
  // login the Ledger refused lately is refused again without asking.
  const verdict = bootstrap ? "ask" : credentialGuard.check(c.req.raw, credential);
  const ok = bootstrap
    ? await isBootstrap(c.env, hash)
    : verdict === "ask" && (await ledger(c).login(body.machine_id, hash));
  if (!ok) {
    if (verdict === "ask") credentialGuard.refused(c.req.raw, credential);
    throw new PalisadeHttpError(401, "bad_credentials", "incorrect Username or Password", {
      path: "body.password",
    });
  }
  const now = Math.floor(Date.now() / 1000);
  const claims: JwtClaims = { id: body.machine_id, exp: now + TOKEN_TTL_S, orig_iat: now };
  const token = await signJwt(await jwtSecret(c), claims);
  return json({ code: 200, expire: new Date(claims.exp * 1000).toISOString(), token });
}

async function isBootstrap(env: Env, hash: string): Promise<boolean> {
  const token = env.PALISADE_MACHINE_TOKEN;
  return token ? sameHash(hash, await hashToken(token)) : false;
}

/** The watcher behind `Authorization: Bearer <jwt>`; 401 like gin-jwt otherwise. */
async function watcher(c: ApiContext): Promise<WatcherRef> {
  const header = c.req.header("Authorization") ?? "";
  const token = /^Bearer[ \t]+(\S+)\s*$/i.exec(header)?.[1];
  if (token === undefined) throw unauthorized("auth header is empty");
  const claims = await verifyJwt(await jwtSecret(c), token, Math.floor(Date.now() / 1000));
  if (!claims) throw unauthorized("Token is expired or invalid");
  return { machine: claims.id, registered: claims.id !== BOOTSTRAP_MACHINE };
}

function unauthorized(message: string): PalisadeHttpError {
  return new PalisadeHttpError(401, "unauthorized", message, {
    path: "headers.authorization",
    headers: { "WWW-Authenticate": 'JWT realm="palisade"' },
  });
}

function revoked(who: WatcherRef): PalisadeHttpError {
  return unauthorized(`machine ${who.machine} is no longer registered`);
}

async function pushAlerts(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  const alerts = await parseBody(c, lapiAlertsInSchema, 400);
  checkDurations(alerts, configOf(c.env).maxDecision);
  const ids = await ledger(c).pushAlerts(who, alerts);
  if (ids === null) throw revoked(who);
  return json(ids.map(String), 201);
}

/**
 * Every decision an alert carries is held to the deployment's duration bound before
 * anything is recorded: one bad duration refuses the whole push (422 naming it), since
 * a partly recorded push would be retried and doubled.
 */
function checkDurations(alerts: readonly LapiAlertIn[], bound: DurationBound): void {
  alerts.forEach((a, i) => {
    (a.decisions ?? []).forEach((d, j) => {
      const r = checkDuration(d.duration, bound);
      if (r.ok) return;
      const path = `body[${i}].decisions[${j}].duration`;
      throw new PalisadeHttpError(422, "invalid_duration", `${path}: ${r.message}.`, { path });
    });
  });
}

async function findAlerts(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  const q = lapiAlertQuery(parseQuery(c, lapiAlertsQuerySchema, 400), Date.now());
  const alerts = await ledger(c).watcherAlerts(who, q);
  if (alerts === null) throw revoked(who);
  if (c.req.raw.method === "HEAD") return json(null);
  return json(alerts.length === 0 ? null : alerts);
}

async function deleteDecisions(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  const q = parseQuery(c, deleteDecisionsQuerySchema, 400);
  const ids = await ledger(c).watcherDelete(who, { filter: lapiFilter(q) });
  if (ids === null) throw revoked(who);
  return json({ nbDeleted: String(ids.length) });
}

async function deleteDecision(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  const id = idParam(c, "decision_id");
  const ids = await ledger(c).watcherDelete(who, { ids: [id] });
  if (ids === null) throw revoked(who);
  if (ids.length === 0 && (await ledger(c).decision(id)) === null) {
    throw new PalisadeHttpError(404, "not_found", `decision ${id} doesn't exist`, {
      path: "params.decision_id",
    });
  }
  return json({ nbDeleted: String(ids.length) });
}

/** Agents call it every few seconds; CrowdSec answers 200 with no body. */
async function heartbeat(c: ApiContext): Promise<Response> {
  await watcher(c);
  return new Response(null, { status: 200, headers: { "Cache-Control": "no-store" } });
}

const errors = {
  400: { description: "Bad body or query (names the field)", schema: lapiErrorSchema },
  401: { description: "Missing, invalid or expired JWT; machine removed", schema: lapiErrorSchema },
};

export const watcherRoutes: RouteDef[] = [
  {
    method: "POST",
    path: "/_palisade/v1/watchers/login",
    operationId: "watcherLogin",
    summary: "Exchange a machine's name and token for a JWT (1 hour)",
    tag: "watchers",
    auth: "none",
    body: watcherLoginSchema,
    responses: {
      200: { description: "The token", schema: watcherLoginResponseSchema },
      400: errors[400],
      401: { description: "Unknown machine or wrong password", schema: lapiErrorSchema },
    },
    handler: login,
  },
  {
    method: "GET",
    path: "/_palisade/v1/heartbeat",
    operationId: "heartbeat",
    summary: "An agent's keep-alive (checks the JWT)",
    tag: "watchers",
    auth: "jwt",
    responses: { 200: { description: "Token accepted" }, 401: errors[401] },
    handler: heartbeat,
  },
  {
    method: "POST",
    path: "/_palisade/v1/alerts",
    operationId: "pushAlerts",
    summary: "Record alerts; those without decisions go through the profiles",
    tag: "watchers",
    auth: "jwt",
    body: lapiAlertsInSchema,
    responses: {
      201: { description: "The alerts' ids", schema: lapiAlertsCreatedSchema },
      ...errors,
      422: {
        description:
          "A decision's duration is not positive or past MAX_DECISION_DURATION (names it)",
        schema: lapiErrorSchema,
      },
    },
    handler: pushAlerts,
  },
  {
    method: "GET",
    path: "/_palisade/v1/alerts",
    operationId: "searchAlerts",
    summary: "Alerts matching the filters, newest first (null when none)",
    tag: "watchers",
    auth: "jwt",
    query: lapiAlertsQuerySchema,
    responses: { 200: { description: "The alerts", schema: lapiAlertListSchema }, ...errors },
    handler: findAlerts,
  },
  {
    method: "DELETE",
    path: "/_palisade/v1/decisions",
    operationId: "deleteDecisions",
    summary: "End the active decisions matching the filters",
    tag: "watchers",
    auth: "jwt",
    query: deleteDecisionsQuerySchema,
    responses: { 200: { description: "How many", schema: lapiDeleteResponseSchema }, ...errors },
    handler: deleteDecisions,
  },
  {
    method: "DELETE",
    path: "/_palisade/v1/decisions/:decision_id",
    operationId: "deleteDecision",
    summary: "End one decision",
    tag: "watchers",
    auth: "jwt",
    params: { decision_id: "The decision's id" },
    responses: {
      200: { description: "1, or 0 when it had already ended", schema: lapiDeleteResponseSchema },
      ...errors,
      404: { description: "No such decision", schema: lapiErrorSchema },
    },
    handler: deleteDecision,
  },
];
