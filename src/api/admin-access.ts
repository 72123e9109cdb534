import { configOf } from "../config";
import { adminDeletedSchema } from "../contract/admin";
import {
  allowAddedSchema,
  allowAddSchema,
  allowDeleteQuerySchema,
  allowListSchema,
  bouncerCreatedSchema,
  bouncerListSchema,
  countSchema,
  credentialNameSchema,
  machineAddSchema,
  machineCreatedSchema,
  machineListSchema,
  metricsSchema,
  nameBodySchema,
} from "../contract/admin-access";
import { checkDuration, checkMs, formatDuration } from "../core/duration";
import { normalizeCidr } from "../core/ip";
import { hashToken } from "../durable/ledger/index";
import { BOOTSTRAP_MACHINE } from "../ingest/auth";
import { conflict, errorResponse as err, notFound, unprocessable } from "./admin-errors";
import { allowRisks, refuseUnlessForced } from "./admin-guard";
import { type ApiContext, idParam, json, ledger, parseBody, parseQuery } from "./input";
import type { RouteDef } from "./route";

/** Admin API: the allowlist, bouncer keys, machine tokens, metrics. */

const ADMIN = "/_palisade/v1/admin";

async function listAllow(c: ApiContext): Promise<Response> {
  return json({ entries: await ledger(c).allowlist() });
}

async function addAllow(c: ApiContext): Promise<Response> {
  const b = await parseBody(c, allowAddSchema);
  const now = Date.now();
  const bound = configOf(c.env).maxDecision;
  let expires: number | null = null;
  if (b.duration !== undefined) {
    const d = checkDuration(b.duration, bound);
    if (!d.ok) throw unprocessable("body.duration", `${d.message}.`);
    expires = now + d.ms;
  } else if (b.expires_at !== undefined) {
    const at = Date.parse(b.expires_at);
    const d = checkMs(
      at - now,
      `expires_at ${b.expires_at} (${formatDuration(at - now)} from now)`,
      bound,
    );
    if (!d.ok) throw unprocessable("body.expires_at", `${d.message}.`);
    expires = at;
  }
  const cidr = normalizeCidr(b.value);
  if (cidr !== undefined) refuseUnlessForced(allowRisks(cidr), b.force);
  const out = await ledger(c).addAllow({
    value: b.value,
    reason: b.reason ?? "allowlisted by admin",
    expires,
  });
  if (!out) {
    throw unprocessable(
      "body.value",
      `${JSON.stringify(b.value)} is not an IP address or CIDR range (203.0.113.7, 10.0.0.0/8, 2001:db8::/32).`,
    );
  }
  return json(out, 201);
}

async function removeAllow(c: ApiContext, by: { id: number } | { value: string }, path: string) {
  const ids = await ledger(c).removeAllow(by);
  if (ids.length === 0)
    throw notFound(path, `No allowlist entry ${"id" in by ? by.id : by.value}.`);
  return json({ deleted: ids.length, ids });
}

async function createBouncer(c: ApiContext): Promise<Response> {
  const { name } = await parseBody(c, nameBodySchema);
  const key = randomSecret();
  if (!(await ledger(c).createBouncer(name, await hashToken(key)))) {
    throw conflict(
      "name_taken",
      `A bouncer named ${name} exists; delete it first or pick another name.`,
      "body.name",
    );
  }
  return json({ name, api_key: key, created_at: new Date().toISOString() }, 201);
}

async function createMachine(c: ApiContext): Promise<Response> {
  const { name, role } = await parseBody(c, machineAddSchema);
  if (name === BOOTSTRAP_MACHINE) {
    throw conflict(
      "name_reserved",
      `${name} is the PALISADE_MACHINE_TOKEN machine; pick another name.`,
      "body.name",
    );
  }
  const token = randomSecret();
  if (!(await ledger(c).createMachine(name, await hashToken(token), role))) {
    throw conflict(
      "name_taken",
      `A machine named ${name} exists; delete it first or pick another name.`,
      "body.name",
    );
  }
  return json({ name, role, token, created_at: new Date().toISOString() }, 201);
}

async function deleteNamed(c: ApiContext, kind: "bouncer" | "machine"): Promise<Response> {
  const name = c.req.param("name") ?? "";
  if (!credentialNameSchema.safeParse(name).success)
    throw unprocessable("params.name", `${JSON.stringify(name)} is not a ${kind} name.`);
  const l = ledger(c);
  const done = kind === "bouncer" ? await l.removeBouncer(name) : await l.removeMachine(name);
  if (!done) throw notFound("params.name", `No ${kind} named ${name}.`);
  return json({ deleted: 1 });
}

/** 256 random bits as hex: safe in any header, YAML file or shell. */
function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

const common = { 401: err("No admin token"), 403: err("Wrong admin token") };
const bad = err("Bad body or parameter (names the field)");

export const adminAccessRoutes: RouteDef[] = [
  {
    method: "GET",
    path: `${ADMIN}/allowlist`,
    operationId: "adminListAllowlist",
    summary: "The operator allowlist (the built-in one is not listed)",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Entries", schema: allowListSchema }, ...common },
    handler: listAllow,
  },
  {
    method: "POST",
    path: `${ADMIN}/allowlist`,
    operationId: "adminAddAllowlist",
    summary: "Allow an IP or CIDR (optionally until a time); lifts the decisions it covers",
    tag: "admin",
    auth: "admin",
    body: allowAddSchema,
    responses: {
      201: { description: "The entry and the decisions lifted", schema: allowAddedSchema },
      ...common,
      422: bad,
    },
    handler: addAllow,
  },
  {
    method: "DELETE",
    path: `${ADMIN}/allowlist`,
    operationId: "adminDeleteAllowlistByValue",
    summary: "Remove the entry for an IP or CIDR",
    tag: "admin",
    auth: "admin",
    query: allowDeleteQuerySchema,
    responses: {
      200: { description: "Removed", schema: adminDeletedSchema },
      ...common,
      404: err("No such entry"),
      422: bad,
    },
    handler: (c) =>
      removeAllow(c, { value: parseQuery(c, allowDeleteQuerySchema).value }, "query.value"),
  },
  {
    method: "DELETE",
    path: `${ADMIN}/allowlist/:id`,
    operationId: "adminDeleteAllowlist",
    summary: "Remove an entry by id",
    tag: "admin",
    auth: "admin",
    params: { id: "The entry's id" },
    responses: {
      200: { description: "Removed", schema: adminDeletedSchema },
      ...common,
      404: err("No such entry"),
    },
    handler: (c) => removeAllow(c, { id: idParam(c, "id") }, "params.id"),
  },
  {
    method: "POST",
    path: `${ADMIN}/bouncers`,
    operationId: "adminAddBouncer",
    summary: "Create a bouncer API key (shown once)",
    tag: "admin",
    auth: "admin",
    body: nameBodySchema,
    responses: {
      201: { description: "The key", schema: bouncerCreatedSchema },
      ...common,
      409: err("Name taken"),
      422: bad,
    },
    handler: createBouncer,
  },
  {
    method: "GET",
    path: `${ADMIN}/bouncers`,
    operationId: "adminListBouncers",
    summary: "Bouncers with their last pull, user agent and per-IP cursors",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Bouncers", schema: bouncerListSchema }, ...common },
    handler: async (c) => json({ bouncers: await ledger(c).bouncers() }),
  },
  {
    method: "DELETE",
    path: `${ADMIN}/bouncers/:name`,
    operationId: "adminDeleteBouncer",
    summary: "Revoke a bouncer key",
    tag: "admin",
    auth: "admin",
    params: { name: "The bouncer's name" },
    responses: {
      200: { description: "Revoked", schema: countSchema },
      ...common,
      404: err("No such bouncer"),
    },
    handler: (c) => deleteNamed(c, "bouncer"),
  },
  {
    method: "POST",
    path: `${ADMIN}/machines`,
    operationId: "adminAddMachine",
    summary:
      "Create a machine (token shown once): a watcher (default) logs in as a CrowdSec agent or cscli; an ingest machine ships logs",
    tag: "admin",
    auth: "admin",
    body: machineAddSchema,
    responses: {
      201: { description: "The token", schema: machineCreatedSchema },
      ...common,
      409: err("Name taken or reserved"),
      422: bad,
    },
    handler: createMachine,
  },
  {
    method: "GET",
    path: `${ADMIN}/machines`,
    operationId: "adminListMachines",
    summary: "Registered machines (the bootstrap machine is not listed)",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Machines", schema: machineListSchema }, ...common },
    handler: async (c) => json({ machines: await ledger(c).machines() }),
  },
  {
    method: "DELETE",
    path: `${ADMIN}/machines/:name`,
    operationId: "adminDeleteMachine",
    summary: "Revoke a machine (its token, and a watcher's unexpired JWTs, stop at once)",
    tag: "admin",
    auth: "admin",
    params: { name: "The machine's name" },
    responses: {
      200: { description: "Revoked", schema: countSchema },
      ...common,
      404: err("No such machine"),
    },
    handler: (c) => deleteNamed(c, "machine"),
  },
  {
    method: "GET",
    path: `${ADMIN}/metrics`,
    operationId: "adminMetrics",
    summary: "Ingest, detection, decision, edge and bouncer counters",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Metrics", schema: metricsSchema }, ...common },
    handler: async (c) => json(await ledger(c).metrics()),
  },
];
