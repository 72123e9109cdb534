import {
  type AdminDecision,
  adminDecisionAddedSchema,
  adminDecisionPageSchema,
  adminDeletedSchema,
} from "../../contract/admin";
import { fail } from "../errors";
import type { AdminClient } from "./client";
import {
  clientFor,
  limitOf,
  type Noun,
  outputOf,
  parseVerb,
  positionalsOf,
  print,
  printJson,
} from "./command";
import { table, when } from "./table";

const USAGE = `Usage:
  palisade decisions list [--ip IP] [--range CIDR] [--value V] [--scope S] [--type T]
                          [--origin O] [--scenario S] [--all] [--limit N] [-o human|json]
  palisade decisions add (--ip IP | --range CIDR | --scope S --value V) [--type ban]
                         [--duration 4h] [--reason TEXT] [--force] [-o human|json]
  palisade decisions delete (--id N | --ip IP | --range CIDR | --value V | --scope S |
                             --type T | --origin O | --scenario S | --all) [-o human|json]

list shows active decisions, newest first (--all adds ended ones; --limit 0 for every one,
default 100). --ip and --range also match the ranges containing them. add makes a manual
decision (origin cscli): it reaches the edge and the bouncers like a detected one. Scopes:
Ip, Range, Country (FR), AS (64496). A decision that looks like a mistake (a range wider
than IPv4 /8 or IPv6 /32, an address the built-in allowlist exempts, under a second) is
refused with what would happen; --force makes it anyway. delete ends the matching active
decisions (--all: every one).`;

const filterOptions = {
  ip: { type: "string" },
  range: { type: "string" },
  value: { type: "string" },
  scope: { type: "string" },
  type: { type: "string" },
  origin: { type: "string" },
  scenario: { type: "string" },
} as const;

type Filters = Partial<Record<keyof typeof filterOptions, string>>;

function filterQuery(v: Filters): Record<string, string | undefined> {
  return {
    ip: v.ip,
    range: v.range,
    value: v.value,
    scope: v.scope,
    type: v.type,
    origin: v.origin,
    scenario: v.scenario,
  };
}

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {
    ...filterOptions,
    all: { type: "boolean" },
    limit: { type: "string" },
  });
  positionalsOf(positionals, [], USAGE);
  const output = outputOf(values.output);
  const limit = limitOf(values.limit, 100);
  const { rows, more } = await fetchDecisions(
    clientFor(values),
    {
      ...filterQuery(values),
      all: values.all ? "true" : undefined,
    },
    limit,
  );
  if (more) {
    process.stderr.write(`(first ${rows.length} shown: --limit N for more, --limit 0 for all)\n`);
  }
  if (output === "json") return printJson(rows);
  if (rows.length === 0) return print(values.all ? "No decisions." : "No active decisions.");
  print(decisionTable(rows));
}

/** Walks the pages until `limit` rows; `more` when the API has rows left. */
async function fetchDecisions(
  client: AdminClient,
  query: Record<string, string | undefined>,
  limit: number,
): Promise<{ rows: AdminDecision[]; more: boolean }> {
  const rows: AdminDecision[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.call(
      {
        action: "list the decisions",
        method: "GET",
        path: "/decisions",
        query: { ...query, limit: String(Math.min(1000, limit - rows.length)), cursor },
      },
      adminDecisionPageSchema,
    );
    rows.push(...page.decisions);
    if (page.next_cursor === null) return { rows, more: false };
    if (rows.length >= limit) return { rows, more: true };
    cursor = String(page.next_cursor);
  }
}

export function decisionTable(rows: readonly AdminDecision[]): string {
  return table(
    ["id", "scope:value", "reason", "action", "origin", "expires in", "alert", "created"],
    rows.map((d) => [
      d.id,
      `${d.scope}:${d.value}`,
      d.scenario,
      d.type,
      d.origin,
      d.active ? d.duration : (d.deleted_reason ?? "ended"),
      d.alert_id,
      when(d.created_at),
    ]),
  );
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {
    ip: { type: "string" },
    range: { type: "string" },
    value: { type: "string" },
    scope: { type: "string" },
    type: { type: "string" },
    duration: { type: "string" },
    reason: { type: "string" },
    force: { type: "boolean" },
  });
  positionalsOf(positionals, [], USAGE);
  const output = outputOf(values.output);
  const target = [values.ip, values.range, values.value].filter((v) => v !== undefined);
  if (target.length !== 1) {
    fail(
      "decisions add needs exactly one target.",
      "a decision applies to one address, range, country or AS.",
      "give --ip IP, --range CIDR, or --scope SCOPE --value VALUE.",
    );
  }
  const out = await clientFor(values).call(
    {
      action: "add the decision",
      method: "POST",
      path: "/decisions",
      body: {
        ip: values.ip,
        range: values.range,
        value: values.value,
        scope: values.scope,
        type: values.type,
        duration: values.duration,
        reason: values.reason,
        force: values.force ? true : undefined,
      },
      fixes: {
        allowlisted:
          "remove the allowlist entry first (palisade allowlist remove VALUE), or choose another value.",
        force_required: "if that is what you want, run the command again with --force.",
      },
    },
    adminDecisionAddedSchema,
  );
  if (output === "json") return printJson(out);
  const d = out.decision;
  print(
    `Decision ${d.id} added: ${d.type} on ${d.scope}:${d.value} for ${d.duration} (origin ${d.origin}, alert ${out.alert_id}).`,
  );
}

async function remove(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {
    ...filterOptions,
    id: { type: "string" },
    all: { type: "boolean" },
  });
  positionalsOf(positionals, [], USAGE);
  const output = outputOf(values.output);
  const filters = filterQuery(values);
  const filtered = Object.values(filters).some((v) => v !== undefined);
  if (values.id === undefined && !filtered && !values.all) {
    fail(
      "decisions delete needs --id N, a filter, or --all.",
      "without one it would end every decision.",
      "give --id N or a filter (--ip, --range, --scenario, …); --all ends every decision.",
    );
  }
  if (values.id !== undefined && (filtered || values.all)) {
    fail(
      "decisions delete got --id and filters.",
      "--id names one decision; filters (or --all) select many.",
      "give --id alone, or filters without --id.",
    );
  }
  const out = await clientFor(values).call(
    values.id !== undefined
      ? {
          action: `delete decision ${values.id}`,
          method: "DELETE",
          path: `/decisions/${encodeURIComponent(values.id)}`,
          fixes: {
            "404": "list the decisions with palisade decisions list (--all for ended ones).",
          },
        }
      : {
          action: "delete the decisions",
          method: "DELETE",
          path: "/decisions",
          query: { ...filters, all: values.all ? "true" : undefined },
        },
    adminDeletedSchema,
  );
  if (output === "json") return printJson(out);
  if (out.deleted === 0) {
    return print(
      values.id !== undefined
        ? `Decision ${values.id} had already ended.`
        : "No active decision matched.",
    );
  }
  print(`${out.deleted} decision(s) deleted: ${out.ids.join(", ")}.`);
}

export const decisions: Noun = { usage: USAGE, verbs: { list, add, delete: remove } };
