import { countSchema } from "../contract/admin-access";
import {
  allowCheckQuerySchema,
  allowCheckSchema,
  consoleSessionListSchema,
  notificationsSchema,
  scenarioListSchema,
  statsQuerySchema,
  statsSchema,
} from "../contract/admin-stats";
import { normalizeIp } from "../core/ip";
import { channelsOf } from "../notify/index";
import { currentPack, scenarioInfo } from "./admin-content";
import { errorResponse as err, notFound, unprocessable } from "./admin-errors";
import { type ApiContext, json, ledger, parseQuery } from "./input";
import type { RouteDef } from "./route";

/**
 * Admin API: what the console's overview, scenario and IP pages read besides alerts and
 * decisions (counts over a window, the scenarios with their hits, an address's allowlist
 * status), and its sessions (listed and revoked here, so the CLI can too).
 */

const ADMIN = "/_palisade/v1/admin";

/** Every scenario of the current content version (disabled ones too), with its hits. */
async function scenarios(c: ApiContext): Promise<Response> {
  const hits = new Map((await ledger(c).metrics()).overflows.map((o) => [o.scenario, o]));
  const pack = await currentPack(c);
  return json({
    version: pack.version,
    simulation_all: pack.simulationAll,
    scenarios: pack.entries.map((e) => ({
      ...scenarioInfo(e, pack),
      alerts: hits.get(e.name)?.count ?? 0,
      allowlisted: hits.get(e.name)?.allowlisted ?? 0,
    })),
  });
}

async function allowCheck(c: ApiContext): Promise<Response> {
  const { ip } = parseQuery(c, allowCheckQuerySchema);
  const canonical = normalizeIp(ip.trim());
  if (canonical === undefined) {
    throw unprocessable("query.ip", `${JSON.stringify(ip)} is not an IP address.`);
  }
  return json(await ledger(c).allowCheck(canonical));
}

async function revokeSession(c: ApiContext): Promise<Response> {
  const id = c.req.param("id") ?? "";
  if (!/^[0-9a-f]{64}$/.test(id)) throw unprocessable("params.id", "not a session id.");
  const n = await ledger(c).revokeSessions(id);
  if (n === 0) throw notFound("params.id", `No session ${id}.`);
  return json({ deleted: n });
}

async function notifications(c: ApiContext): Promise<Response> {
  const set = channelsOf(c.env.PALISADE_NOTIFICATIONS);
  const l = ledger(c);
  const [observed, dead] = await Promise.all([l.observe(), l.notifyDead()]);
  const state = new Map(observed.notifications.map((n) => [n.channel, n]));
  const zero = { pending: 0, sent: 0, alerts: 0, suppressed: 0, failed: 0, dead: 0 };
  return json({
    channels: [...set.channels.values()].map((ch) => {
      const { channel: _, ...counts } = state.get(ch.name) ?? { channel: ch.name, ...zero };
      return {
        name: ch.name,
        type: ch.type,
        target: new URL(ch.url).origin,
        profiles: ch.profiles,
        ...counts,
      };
    }),
    errors: set.errors,
    dead: dead.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
  });
}

const common = { 401: err("No admin token"), 403: err("Wrong admin token") };

export const adminConsoleRoutes: RouteDef[] = [
  {
    method: "GET",
    path: `${ADMIN}/stats`,
    operationId: "adminStats",
    summary: "Alerts, decisions, edge outcomes, countries, ASNs and lines over a window",
    tag: "admin",
    auth: "admin",
    query: statsQuerySchema,
    responses: { 200: { description: "Counts", schema: statsSchema }, ...common },
    handler: async (c) =>
      json(await ledger(c).stats(parseQuery(c, statsQuerySchema).window ?? "24h")),
  },
  {
    method: "GET",
    path: `${ADMIN}/scenarios`,
    operationId: "adminScenarios",
    summary: "The scenarios this deployment runs, with their alert counts",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Scenarios", schema: scenarioListSchema }, ...common },
    handler: scenarios,
  },
  {
    method: "GET",
    path: `${ADMIN}/allowlist/check`,
    operationId: "adminAllowCheck",
    summary: "Whether an address is allowlisted (built-in or operator list), and by what",
    tag: "admin",
    auth: "admin",
    query: allowCheckQuerySchema,
    responses: {
      200: { description: "Status", schema: allowCheckSchema },
      ...common,
      422: err("Not an IP"),
    },
    handler: allowCheck,
  },
  {
    method: "GET",
    path: `${ADMIN}/notifications`,
    operationId: "adminNotifications",
    summary: "Notification channels with their counts, configuration errors, messages given up on",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Notifications", schema: notificationsSchema }, ...common },
    handler: notifications,
  },
  {
    method: "GET",
    path: `${ADMIN}/console/sessions`,
    operationId: "adminConsoleSessions",
    summary: "Live console sessions",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Sessions", schema: consoleSessionListSchema }, ...common },
    handler: async (c) => json({ sessions: await ledger(c).consoleSessions() }),
  },
  {
    method: "DELETE",
    path: `${ADMIN}/console/sessions`,
    operationId: "adminRevokeConsoleSessions",
    summary: "Revoke every console session",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Revoked", schema: countSchema }, ...common },
    handler: async (c) => json({ deleted: await ledger(c).revokeSessions(null) }),
  },
  {
    method: "DELETE",
    path: `${ADMIN}/console/sessions/:id`,
    operationId: "adminRevokeConsoleSession",
    summary: "Revoke one console session (its next request goes to the login page)",
    tag: "admin",
    auth: "admin",
    params: { id: "The session's id" },
    responses: {
      200: { description: "Revoked", schema: countSchema },
      ...common,
      404: err("No such session"),
    },
    handler: revokeSession,
  },
];
