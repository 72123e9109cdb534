import {
  type AdminDecisionAdd,
  adminAlertDetailSchema,
  adminAlertPageSchema,
  adminAlertsQuerySchema,
  adminDecisionAddedSchema,
  adminDecisionAddSchema,
  adminDecisionPageSchema,
  adminDecisionsDeleteQuerySchema,
  adminDecisionsQuerySchema,
  adminDeletedSchema,
} from "../contract/admin";
import { parseDuration } from "../core/duration";
import { normalizeCidr, normalizeIp } from "../core/ip";
import { normalizeScope } from "../core/profile/index";
import type { ManualDecision } from "../durable/ledger/index";
import { conflict, errorResponse as err, notFound, unprocessable } from "./admin-errors";
import { adminAlertQuery, lapiFilter } from "./filters";
import { type ApiContext, idParam, json, ledger, parseBody, parseQuery } from "./input";
import type { RouteDef } from "./route";

/** Admin API: decisions (list, add by hand, delete) and alerts (list, inspect). */

const DECISIONS = "/_palisade/v1/admin/decisions";
const ALERTS = "/_palisade/v1/admin/alerts";

async function listDecisions(c: ApiContext): Promise<Response> {
  const q = parseQuery(c, adminDecisionsQuerySchema);
  const page = await ledger(c).listDecisions({
    filter: lapiFilter(q, 422),
    all: q.all ?? false,
    limit: q.limit ?? 100,
    cursor: q.cursor,
  });
  return json(page);
}

async function addDecision(c: ApiContext): Promise<Response> {
  const body = await parseBody(c, adminDecisionAddSchema);
  const out = await ledger(c).addDecision(manual(body));
  if (!out.ok) {
    throw conflict(
      "allowlisted",
      `${body.ip ?? body.range ?? body.value} is allowlisted (${out.allowlisted}); remove the allowlist entry first.`,
    );
  }
  return json({ decision: out.decision, alert_id: out.alert_id }, 201);
}

/** The body as the Ledger records it: scope and value canonical, duration in ms. */
function manual(b: AdminDecisionAdd): ManualDecision {
  const scope =
    b.ip !== undefined ? "Ip" : b.range !== undefined ? "Range" : normalizeScope(b.scope ?? "");
  const field = b.ip !== undefined ? "ip" : b.range !== undefined ? "range" : "value";
  const raw = (b.ip ?? b.range ?? b.value) as string;
  const value = canonical(scope, raw);
  if (value === undefined) {
    throw unprocessable(
      `body.${field}`,
      `${JSON.stringify(raw)} is not a valid ${scope} value (${EXAMPLES[scope] ?? ""}).`,
    );
  }
  const ms = parseDuration(b.duration) ?? 0;
  if (ms <= 0)
    throw unprocessable(
      "body.duration",
      `duration ${JSON.stringify(b.duration)} must be positive (4h, 30m).`,
    );
  return { scope, value, type: b.type, durationMs: ms, reason: b.reason };
}

const EXAMPLES: Record<string, string> = {
  Ip: "like 203.0.113.7 or 2001:db8::1",
  Range: "a CIDR like 203.0.113.0/24",
  Country: "an ISO 3166 code like FR",
  AS: "an AS number like 64496 or AS64496",
};

function canonical(scope: string, raw: string): string | undefined {
  const v = raw.trim();
  switch (scope) {
    case "Ip":
      return normalizeIp(v);
    case "Range":
      return v.includes("/") ? normalizeCidr(v) : undefined;
    case "Country":
      return /^[A-Za-z]{2}$/.test(v) ? v.toUpperCase() : undefined;
    case "AS":
      return /^(?:AS)?(\d{1,10})$/i.exec(v)?.[1];
    default:
      return v === "" ? undefined : v;
  }
}

async function deleteDecision(c: ApiContext): Promise<Response> {
  const id = idParam(c, "id");
  const ids = await ledger(c).endDecisions({ ids: [id] });
  if (ids.length === 0 && (await ledger(c).decision(id)) === null) {
    throw notFound("params.id", `No decision ${id}.`);
  }
  return json({ deleted: ids.length, ids });
}

async function deleteDecisions(c: ApiContext): Promise<Response> {
  const q = parseQuery(c, adminDecisionsDeleteQuerySchema);
  const { all, ...filters } = q;
  if (!all && Object.values(filters).every((v) => v === undefined)) {
    throw unprocessable(
      "query",
      "Give a filter (ip, range, value, scope, type, origin, scenario) or all=true.",
    );
  }
  const ids = await ledger(c).endDecisions({ filter: lapiFilter(filters, 422) });
  return json({ deleted: ids.length, ids });
}

async function listAlerts(c: ApiContext): Promise<Response> {
  const q = adminAlertQuery(parseQuery(c, adminAlertsQuerySchema), Date.now());
  return json(await ledger(c).alerts(q));
}

async function getAlert(c: ApiContext): Promise<Response> {
  const id = idParam(c, "id");
  const alert = await ledger(c).alert(id);
  if (!alert) throw notFound("params.id", `No alert ${id}.`);
  return json(alert);
}

const common = {
  401: err("No admin token"),
  403: err("Wrong admin token"),
  422: err("Bad query or body (names the field)"),
};

export const adminDecisionRoutes: RouteDef[] = [
  {
    method: "GET",
    path: DECISIONS,
    operationId: "adminListDecisions",
    summary: "Decisions, newest first (active ones unless all=true)",
    tag: "admin",
    auth: "admin",
    query: adminDecisionsQuerySchema,
    responses: { 200: { description: "A page", schema: adminDecisionPageSchema }, ...common },
    handler: listDecisions,
  },
  {
    method: "POST",
    path: DECISIONS,
    operationId: "adminAddDecision",
    summary: "Add a decision by hand (origin cscli); it reaches the edge and the bouncers",
    tag: "admin",
    auth: "admin",
    body: adminDecisionAddSchema,
    responses: {
      201: { description: "The decision and its alert", schema: adminDecisionAddedSchema },
      ...common,
      409: err("The value is allowlisted"),
    },
    handler: addDecision,
  },
  {
    method: "DELETE",
    path: DECISIONS,
    operationId: "adminDeleteDecisions",
    summary: "End the active decisions matching the filters",
    tag: "admin",
    auth: "admin",
    query: adminDecisionsDeleteQuerySchema,
    responses: { 200: { description: "What ended", schema: adminDeletedSchema }, ...common },
    handler: deleteDecisions,
  },
  {
    method: "DELETE",
    path: `${DECISIONS}/:id`,
    operationId: "adminDeleteDecision",
    summary: "End one decision (deleted: 0 when it had already ended)",
    tag: "admin",
    auth: "admin",
    params: { id: "The decision's id" },
    responses: {
      200: { description: "What ended", schema: adminDeletedSchema },
      ...common,
      404: err("No such decision"),
    },
    handler: deleteDecision,
  },
  {
    method: "GET",
    path: ALERTS,
    operationId: "adminListAlerts",
    summary: "Alerts with their decisions, newest first",
    tag: "admin",
    auth: "admin",
    query: adminAlertsQuerySchema,
    responses: { 200: { description: "A page", schema: adminAlertPageSchema }, ...common },
    handler: listAlerts,
  },
  {
    method: "GET",
    path: `${ALERTS}/:id`,
    operationId: "adminGetAlert",
    summary: "One alert with its events sample and decisions",
    tag: "admin",
    auth: "admin",
    params: { id: "The alert's id" },
    responses: {
      200: { description: "The alert", schema: adminAlertDetailSchema },
      ...common,
      404: err("No such alert"),
    },
    handler: getAlert,
  },
];
