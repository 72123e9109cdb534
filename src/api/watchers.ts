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
  lapiAlertOutSchema,
  lapiAlertsCreatedSchema,
  lapiAlertsDeletedSchema,
  lapiAlertsInSchema,
  lapiAlertsQuerySchema,
} from "../contract/lapi-alert";
import { checkDuration, type DurationBound } from "../core/duration";
import { PalisadeHttpError } from "../http/error";
import { lapiAlertQuery, lapiFilter } from "./filters";
import { type ApiContext, idParam, json, ledger, parseBody, parseQuery } from "./input";
import type { RouteDef } from "./route";
import { heartbeat, login, refresh, revoked, watcher } from "./watcher-auth";

/**
 * Watcher endpoints (CrowdSec agents and cscli), as CrowdSec 1.4.6's LAPI: push and read
 * alerts, delete alerts and decisions. A watcher deletes only what came from its own
 * alerts; a delete that matched only others' answers 403 and says who can.
 */

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

async function findAlert(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  const id = idParam(c, "alert_id");
  const alert = await ledger(c).watcherAlert(who, id);
  if (alert === undefined) throw revoked(who);
  if (alert === null) throw noAlert(id);
  return c.req.raw.method === "HEAD" ? new Response(null, { status: 200 }) : json(alert);
}

function noAlert(id: number): PalisadeHttpError {
  return new PalisadeHttpError(404, "not_found", `alert ${id} doesn't exist`, {
    path: "params.alert_id",
  });
}

/** 403 for a delete that found only decisions or alerts other machines own. */
function notYours(what: string, n: number): PalisadeHttpError {
  return new PalisadeHttpError(
    403,
    "not_yours",
    `${n} ${what} matched, none from this watcher's alerts: a watcher ends only what it pushed. The admin can: palisade ${what.startsWith("alert") ? "alerts" : "decisions"} list, palisade decisions delete.`,
  );
}

async function deleteAlerts(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  const q = lapiAlertQuery(parseQuery(c, lapiAlertsQuerySchema, 400), Date.now(), 0);
  const out = await ledger(c).watcherDeleteAlerts(who, { query: q });
  if (out === null) throw revoked(who);
  if (out.deleted === 0 && out.foreign > 0) throw notYours("alert(s)", out.foreign);
  return json({ nbDeleted: String(out.deleted) });
}

async function deleteAlert(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  const id = idParam(c, "alert_id");
  const out = await ledger(c).watcherDeleteAlerts(who, { id });
  if (out === null) throw revoked(who);
  if (out.foreign > 0) throw notYours("alert(s)", out.foreign);
  if (out.deleted === 0) throw noAlert(id);
  return json({ nbDeleted: String(out.deleted) });
}

async function deleteDecisions(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  const q = parseQuery(c, deleteDecisionsQuerySchema, 400);
  const out = await ledger(c).watcherDelete(who, { filter: lapiFilter(q) });
  if (out === null) throw revoked(who);
  if (out.ids.length === 0 && out.foreign > 0) throw notYours("active decision(s)", out.foreign);
  return json({ nbDeleted: String(out.ids.length) });
}

async function deleteDecision(c: ApiContext): Promise<Response> {
  const who = await watcher(c);
  const id = idParam(c, "decision_id");
  const out = await ledger(c).watcherDelete(who, { ids: [id] });
  if (out === null) throw revoked(who);
  if (out.foreign > 0) throw notYours("active decision(s)", out.foreign);
  if (out.ids.length === 0 && (await ledger(c).decision(id)) === null) {
    throw new PalisadeHttpError(404, "not_found", `decision ${id} doesn't exist`, {
      path: "params.decision_id",
    });
  }
  return json({ nbDeleted: String(out.ids.length) });
}

const errors = {
  400: { description: "Bad body or query (names the field)", schema: lapiErrorSchema },
  401: { description: "Missing, invalid or expired JWT; machine removed", schema: lapiErrorSchema },
};
const forbidden = {
  403: { description: "Everything matched belongs to another machine", schema: lapiErrorSchema },
};
const watchers = { tag: "watchers", auth: "jwt" } as const;

export const watcherRoutes: RouteDef[] = [
  {
    method: "POST",
    path: "/_palisade/v1/watchers/login",
    operationId: "watcherLogin",
    summary: "Exchange a watcher's name and password for a JWT (1 hour)",
    tag: "watchers",
    auth: "none",
    body: watcherLoginSchema,
    responses: {
      200: { description: "The token", schema: watcherLoginResponseSchema },
      400: errors[400],
      401: { description: "Unknown machine or wrong password", schema: lapiErrorSchema },
      403: { description: "An ingest-only machine (a shipper's token)", schema: lapiErrorSchema },
    },
    handler: login,
  },
  {
    method: "GET",
    path: "/_palisade/v1/refresh_token",
    operationId: "refreshToken",
    summary: "A new JWT (1 hour) for a valid session of a watcher that still exists",
    ...watchers,
    responses: {
      200: { description: "The token", schema: watcherLoginResponseSchema },
      401: errors[401],
    },
    handler: refresh,
  },
  {
    method: "GET",
    path: "/_palisade/v1/heartbeat",
    operationId: "heartbeat",
    summary: "An agent's keep-alive (checks the JWT and that the watcher still exists)",
    ...watchers,
    responses: { 200: { description: "Token accepted" }, 401: errors[401] },
    handler: heartbeat,
  },
  {
    method: "POST",
    path: "/_palisade/v1/alerts",
    operationId: "pushAlerts",
    summary: "Record alerts; those without decisions go through the profiles",
    ...watchers,
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
    ...watchers,
    query: lapiAlertsQuerySchema,
    responses: { 200: { description: "The alerts", schema: lapiAlertListSchema }, ...errors },
    handler: findAlerts,
  },
  {
    method: "HEAD",
    path: "/_palisade/v1/alerts",
    operationId: "headAlerts",
    summary: "GET /v1/alerts without a body",
    ...watchers,
    query: lapiAlertsQuerySchema,
    responses: { 200: { description: "Token accepted" }, ...errors },
  },
  {
    method: "DELETE",
    path: "/_palisade/v1/alerts",
    operationId: "deleteAlerts",
    summary: "Remove this watcher's alerts matching the filters, ending their decisions",
    ...watchers,
    query: lapiAlertsQuerySchema,
    responses: {
      200: { description: "How many", schema: lapiAlertsDeletedSchema },
      ...errors,
      ...forbidden,
    },
    handler: deleteAlerts,
  },
  {
    method: "GET",
    path: "/_palisade/v1/alerts/:alert_id",
    operationId: "getAlertById",
    summary: "One alert (cscli alerts inspect)",
    ...watchers,
    params: { alert_id: "The alert's id" },
    responses: {
      200: { description: "The alert", schema: lapiAlertOutSchema },
      ...errors,
      404: { description: "No such alert", schema: lapiErrorSchema },
    },
    handler: findAlert,
  },
  {
    method: "HEAD",
    path: "/_palisade/v1/alerts/:alert_id",
    operationId: "headAlertById",
    summary: "GET /v1/alerts/{alert_id} without a body",
    ...watchers,
    params: { alert_id: "The alert's id" },
    responses: { 200: { description: "The alert exists" }, ...errors },
  },
  {
    method: "DELETE",
    path: "/_palisade/v1/alerts/:alert_id",
    operationId: "deleteAlert",
    summary: "Remove one of this watcher's alerts, ending its decisions",
    ...watchers,
    params: { alert_id: "The alert's id" },
    responses: {
      200: { description: "1", schema: lapiAlertsDeletedSchema },
      ...errors,
      ...forbidden,
      404: { description: "No such alert", schema: lapiErrorSchema },
    },
    handler: deleteAlert,
  },
  {
    method: "DELETE",
    path: "/_palisade/v1/decisions",
    operationId: "deleteDecisions",
    summary: "End the active decisions of this watcher's alerts matching the filters",
    ...watchers,
    query: deleteDecisionsQuerySchema,
    responses: {
      200: { description: "How many", schema: lapiDeleteResponseSchema },
      ...errors,
      ...forbidden,
    },
    handler: deleteDecisions,
  },
  {
    method: "DELETE",
    path: "/_palisade/v1/decisions/:decision_id",
    operationId: "deleteDecision",
    summary: "End one decision of this watcher's alerts",
    ...watchers,
    params: { decision_id: "The decision's id" },
    responses: {
      200: { description: "1, or 0 when it had already ended", schema: lapiDeleteResponseSchema },
      ...errors,
      ...forbidden,
      404: { description: "No such decision", schema: lapiErrorSchema },
    },
    handler: deleteDecision,
  },
];
