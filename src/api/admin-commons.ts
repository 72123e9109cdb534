import {
  commonsJoinSchema,
  commonsSharingUpdateSchema,
  commonsStatusSchema,
  commonsSyncSchema,
  ipViewSchema,
} from "../contract/commons-member";
import { normalizeIp } from "../core/ip";
import { PalisadeHttpError } from "../http/error";
import { errorResponse as err, notFound, unprocessable } from "./admin-errors";
import { type ApiContext, json, ledger, parseBody } from "./input";
import type { RouteDef } from "./route";

/**
 * Admin API: this deployment as a member of a commons (issue 12). Join with the
 * operator's enrollment key, see the membership, switch what is shared, sync now, and
 * the one view of an address (what is known here, what the commons says).
 */

const ADMIN = "/_palisade/v1/admin";

async function join(c: ApiContext): Promise<Response> {
  const body = await parseBody(c, commonsJoinSchema);
  const out = await ledger(c).commonsJoin(body);
  if (out.ok) return json(out.status, 201);
  if (out.status === 403 || out.status === 401)
    throw new PalisadeHttpError(
      422,
      "enrollment_refused",
      `the commons at ${body.url} refused to enroll this member (${out.message}); ask its operator for a fresh key (palisade commons keys add) and join again.`,
      { path: "body.key" },
    );
  throw new PalisadeHttpError(
    502,
    "commons_unreachable",
    `joining the commons at ${body.url} failed (${out.message}); check the URL (its root, where /v2/watchers answers) and that it is up. Nothing was changed here.`,
    { path: "body.url" },
  );
}

async function sharing(c: ApiContext): Promise<Response> {
  const body = await parseBody(c, commonsSharingUpdateSchema);
  const out = await ledger(c).commonsSharing(body);
  if (!out) throw notMember();
  return json(out.status);
}

async function sync(c: ApiContext): Promise<Response> {
  const l = ledger(c);
  const status = await l.commonsStatus();
  if (!status.joined) throw notMember();
  const out = await l.commonsSync();
  if (out.error !== null)
    throw new PalisadeHttpError(
      502,
      "commons_unreachable",
      `syncing with ${status.url} failed: ${out.error}`,
    );
  return json({ pushed: out.pushed, pulled: out.pulled, status: await l.commonsStatus() });
}

async function ipView(c: ApiContext): Promise<Response> {
  const text = c.req.param("ip") ?? "";
  const ip = normalizeIp(text);
  if (ip === undefined)
    throw unprocessable(
      "params.ip",
      `${JSON.stringify(text)} is not an IP address (e.g. 192.0.2.7 or 2001:db8::1)`,
    );
  return json(await ledger(c).ipView(ip));
}

function notMember(): PalisadeHttpError {
  return notFound(
    "commons",
    "this deployment is not a member of a commons; join one with palisade commons join --commons URL --key KEY",
  );
}

const common = { 401: err("No admin token"), 403: err("Wrong admin token") };

export const adminCommonsRoutes: RouteDef[] = [
  {
    method: "POST",
    path: `${ADMIN}/commons/join`,
    operationId: "adminCommonsJoin",
    summary: "Register with a commons, enroll with its operator's key, pull the community list",
    tag: "admin",
    auth: "admin",
    body: commonsJoinSchema,
    responses: {
      201: { description: "Joined", schema: commonsStatusSchema },
      ...common,
      422: err("Invalid body, or the commons refused the key"),
      502: err("The commons could not be reached or failed"),
    },
    handler: join,
  },
  {
    method: "GET",
    path: `${ADMIN}/commons`,
    operationId: "adminCommonsStatus",
    summary: "Membership, last push and pull, signals shared, list size, errors",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Status", schema: commonsStatusSchema }, ...common },
    handler: async (c) => json(await ledger(c).commonsStatus()),
  },
  {
    method: "POST",
    path: `${ADMIN}/commons/sharing`,
    operationId: "adminCommonsSharing",
    summary:
      "Switch what is shared (alerts, manual decisions, context); sharing nothing stops the pull",
    tag: "admin",
    auth: "admin",
    body: commonsSharingUpdateSchema,
    responses: {
      200: { description: "The new status", schema: commonsStatusSchema },
      ...common,
      404: err("Not a member"),
      422: err("Invalid body"),
    },
    handler: sharing,
  },
  {
    method: "POST",
    path: `${ADMIN}/commons/sync`,
    operationId: "adminCommonsSync",
    summary: "Push queued signals and pull the community list now",
    tag: "admin",
    auth: "admin",
    responses: {
      200: { description: "What was pushed and pulled", schema: commonsSyncSchema },
      ...common,
      404: err("Not a member"),
      502: err("The commons could not be reached or failed"),
    },
    handler: sync,
  },
  {
    method: "GET",
    path: `${ADMIN}/ip/:ip`,
    operationId: "adminIpView",
    summary: "An address: its alerts, decisions and allowlist here, and the commons' reputation",
    tag: "admin",
    auth: "admin",
    params: { ip: "An IPv4 or IPv6 address" },
    responses: {
      200: { description: "The view", schema: ipViewSchema },
      ...common,
      422: err("Not an IP"),
    },
    handler: ipView,
  },
];
