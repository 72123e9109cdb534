import { z } from "zod";
import { configOf } from "../config";
import { applyChange } from "../content/change";
import { compilePack, type RuntimePack, type ScenarioEntry } from "../content/pack";
import {
  type ContentChange,
  contentChangedSchema,
  contentChangeSchema,
  contentHistorySchema,
  parserListSchema,
  profilesShowSchema,
  scenarioShowSchema,
} from "../contract/content";
import { type Diagnostic, formatDiagnostic } from "../core/diagnostic";
import { formatDuration } from "../core/duration";
import { parserTypes } from "../core/parser/index";
import { closest } from "../core/spelling";
import { packAt } from "../durable/tracker/index";
import { PalisadeHttpError } from "../http/error";
import { conflict, errorResponse as err, notFound } from "./admin-errors";
import { type ApiContext, json, ledger, parseBody, parseQuery } from "./input";
import type { RouteDef } from "./route";

/**
 * Admin API: detection content installed at runtime (`palisade scenarios|parsers|profiles`).
 * A change is checked whole (src/content/change.ts, the diagnostics of `scenarios lint`)
 * and stored as the next content version in the Ledger; ingest and the trackers pick the
 * version up on their next batch. A refused change stores nothing.
 */

const ADMIN = "/_palisade/v1/admin";
/** Commits lost to a concurrent change before giving up (409). */
const COMMIT_TRIES = 3;

const common = { 401: err("No admin token"), 403: err("Wrong admin token") };

/** The pack of the current content version (compiled once per isolate per version). */
export async function currentPack(c: ApiContext): Promise<RuntimePack> {
  const l = ledger(c);
  const version = await l.contentVersion();
  return packAt(configOf(c.env).ipv6Prefix, version, (v) => l.contentAt(v));
}

/** A scenario as the admin API lists it (without its hit counts). */
export function scenarioInfo(e: ScenarioEntry, pack: RuntimePack) {
  const s = pack.all.get(e.name);
  return {
    name: e.name,
    description: s?.description ?? "",
    type: s?.kind.name ?? "",
    capacity: s?.capacity ?? 0,
    leakspeed: formatDuration(s?.leakspeed ?? 0),
    remediation: s?.remediation ?? false,
    labels: s?.labels ?? {},
    origin: e.origin,
    enabled: e.enabled,
    simulated: e.simulated,
    groupby: s?.groupby?.source ?? "",
    hash: e.hash,
    file: e.file,
  };
}

const nameQuery = z.object({ name: z.string().min(1) });

async function showScenario(c: ApiContext): Promise<Response> {
  const { name } = parseQuery(c, nameQuery);
  const pack = await currentPack(c);
  const e = pack.entries.find((x) => x.name === name);
  if (!e) {
    const near = closest(
      name,
      pack.entries.map((x) => x.name),
    );
    throw notFound(
      "query.name",
      `No scenario ${JSON.stringify(name)}${near ? `; did you mean ${near}?` : "; palisade scenarios list shows the names."}`,
    );
  }
  const hits = (await ledger(c).metrics()).overflows.find((o) => o.scenario === name);
  return json({
    ...scenarioInfo(e, pack),
    alerts: hits?.count ?? 0,
    allowlisted: hits?.allowlisted ?? 0,
    text: e.text,
  });
}

function rejected(errors: readonly Diagnostic[]): PalisadeHttpError {
  const lines = errors.map(formatDiagnostic).join("\n");
  return new PalisadeHttpError(
    422,
    "invalid_content",
    `${errors.length} error(s); nothing was changed:\n${lines}`,
    { path: errors[0]?.path ?? "body", diagnostics: [...errors] },
  );
}

async function change(c: ApiContext): Promise<Response> {
  const body: ContentChange = await parseBody(c, contentChangeSchema);
  const l = ledger(c);
  const prefix = configOf(c.env).ipv6Prefix;
  for (let i = 0; i < COMMIT_TRIES; i++) {
    const cur = await l.contentAt();
    if (!cur) throw new Error("the Ledger has no current content version");
    if (body.base !== undefined && body.base !== cur.version) throw stale(body.base, cur.version);
    const out = applyChange(cur.bundle, body, prefix);
    if (!out.bundle) throw rejected(out.errors);
    if (JSON.stringify(out.bundle) === JSON.stringify(cur.bundle))
      return json({ version: cur.version, unchanged: true, warnings: out.warnings });
    const r = await l.commitContent(cur.version, body.action ?? "change", out.bundle);
    if (r.ok) {
      console.log(`palisade.content.version: ${r.version} (${body.action ?? "change"})`);
      return json({ version: r.version, unchanged: false, warnings: out.warnings });
    }
    if (body.base !== undefined) throw stale(body.base, r.current);
  }
  throw conflict("content_busy", "Other content changes kept landing first; retry.");
}

function stale(base: number, current: number): PalisadeHttpError {
  return conflict(
    "content_changed",
    `This change was prepared against content version ${base}, but version ${current} is current; look at it (palisade scenarios list) and retry.`,
    "body.base",
  );
}

async function history(c: ApiContext): Promise<Response> {
  const q = parseQuery(c, z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }));
  const l = ledger(c);
  const rows = await l.contentHistory(q.limit ?? 50);
  return json({
    current: await l.contentVersion(),
    versions: rows.map((r) => ({
      version: r.version,
      at: new Date(r.at).toISOString(),
      action: r.action,
    })),
  });
}

const rollbackSchema = z.object({ version: z.number().int().min(0) });

async function rollback(c: ApiContext): Promise<Response> {
  const { version } = await parseBody(c, rollbackSchema);
  const l = ledger(c);
  const target = await l.contentAt(version);
  if (!target)
    throw notFound(
      "body.version",
      `No content version ${version}; palisade scenarios history lists them.`,
    );
  const problems = compilePack(version, target.bundle, configOf(c.env).ipv6Prefix).problems;
  if (problems.length > 0) throw rejected(problems);
  for (let i = 0; i < COMMIT_TRIES; i++) {
    const cur = await l.contentVersion();
    const r = await l.commitContent(cur, `rollback to version ${version}`, target.bundle);
    if (r.ok) {
      console.log(`palisade.content.version: ${r.version} (rollback to ${version})`);
      return json({ version: r.version, unchanged: false, warnings: [] });
    }
  }
  throw conflict("content_busy", "Other content changes kept landing first; retry.");
}

async function listParsers(c: ApiContext): Promise<Response> {
  const at = await ledger(c).contentAt();
  return json({
    version: at?.version ?? 0,
    parsers: [
      ...parserTypes().map((type) => ({ type, origin: "builtin" as const, file: "" })),
      ...(at?.bundle.parsers ?? []).map((p) => ({
        type: p.type,
        origin: "installed" as const,
        file: p.file,
      })),
    ],
  });
}

async function showProfiles(c: ApiContext): Promise<Response> {
  const pack = await currentPack(c);
  return json({ version: pack.version, origin: pack.profilesOrigin, text: pack.profilesText });
}

export const adminContentRoutes: RouteDef[] = [
  {
    method: "GET",
    path: `${ADMIN}/scenarios/show`,
    operationId: "adminScenario",
    summary: "One scenario and its YAML",
    tag: "admin",
    auth: "admin",
    query: nameQuery,
    responses: {
      200: { description: "The scenario", schema: scenarioShowSchema },
      404: err("No such scenario"),
      ...common,
    },
    handler: showScenario,
  },
  {
    method: "POST",
    path: `${ADMIN}/content`,
    operationId: "adminContentChange",
    summary:
      "Install, remove, enable, disable, simulate scenarios; install parsers, profiles, data files",
    description:
      "Checked whole with the diagnostics of `palisade scenarios lint`; stored as the next content version, or nothing changes (422 with `diagnostics`).",
    tag: "admin",
    auth: "admin",
    body: contentChangeSchema,
    responses: {
      200: { description: "The new (or unchanged) version", schema: contentChangedSchema },
      409: err("The content changed since `base`"),
      422: err("Refused: every problem in `diagnostics`, nothing changed"),
      ...common,
    },
    handler: change,
  },
  {
    method: "GET",
    path: `${ADMIN}/content/versions`,
    operationId: "adminContentVersions",
    summary: "Content versions, newest first",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "History", schema: contentHistorySchema }, ...common },
    handler: history,
  },
  {
    method: "POST",
    path: `${ADMIN}/content/rollback`,
    operationId: "adminContentRollback",
    summary: "Make an earlier content version current again (as a new version)",
    tag: "admin",
    auth: "admin",
    body: rollbackSchema,
    responses: {
      200: { description: "The new version", schema: contentChangedSchema },
      404: err("No such version"),
      ...common,
    },
    handler: rollback,
  },
  {
    method: "GET",
    path: `${ADMIN}/parsers`,
    operationId: "adminParsers",
    summary: "Parsers: built-in acquisition types and installed custom ones",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "List", schema: parserListSchema }, ...common },
    handler: listParsers,
  },
  {
    method: "GET",
    path: `${ADMIN}/profiles`,
    operationId: "adminProfiles",
    summary: "The profiles in force (built-in or installed) as YAML",
    tag: "admin",
    auth: "admin",
    responses: { 200: { description: "Profiles", schema: profilesShowSchema }, ...common },
    handler: showProfiles,
  },
];
