import {
  type AdminAlert,
  type AdminAlertDetail,
  adminAlertDetailSchema,
  adminAlertPageSchema,
} from "../../contract/admin";
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
import { decisionTable } from "./decisions";
import { fields, table, when } from "./table";

const USAGE = `Usage:
  palisade alerts list [--ip IP] [--range CIDR] [--value V] [--scope S] [--scenario TEXT]
                       [--since 24h|ISO] [--until 1h|ISO] [--has-active-decision]
                       [--allowlisted] [--origin O] [--type T] [--limit N] [-o human|json]
  palisade alerts inspect ID [-o human|json]

list shows alerts newest first (default 50; --limit 0 for all): --scenario matches a part
of the name, --since/--until take a Go duration ago or an ISO time, --origin/--type
filter on the alert's decisions. inspect shows one alert with its decisions, the machine and source labels its lines came
with, its events and the raw log lines that triggered it (the latest 20).`;

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {
    ip: { type: "string" },
    range: { type: "string" },
    value: { type: "string" },
    scope: { type: "string" },
    scenario: { type: "string" },
    since: { type: "string" },
    until: { type: "string" },
    "has-active-decision": { type: "boolean" },
    allowlisted: { type: "boolean" },
    origin: { type: "string" },
    type: { type: "string" },
    limit: { type: "string" },
  });
  positionalsOf(positionals, [], USAGE);
  const output = outputOf(values.output);
  const query = {
    ip: values.ip,
    range: values.range,
    value: values.value,
    scope: values.scope,
    scenario: values.scenario,
    since: values.since,
    until: values.until,
    has_active_decision: values["has-active-decision"] ? "true" : undefined,
    allowlisted: values.allowlisted ? "true" : undefined,
    origin: values.origin,
    type: values.type,
  };
  const { rows, more } = await fetchAlerts(clientFor(values), query, limitOf(values.limit, 50));
  if (more) {
    process.stderr.write(`(first ${rows.length} shown: --limit N for more, --limit 0 for all)\n`);
  }
  if (output === "json") return printJson(rows);
  if (rows.length === 0) return print("No alerts.");
  print(alertTable(rows));
}

async function fetchAlerts(
  client: AdminClient,
  query: Record<string, string | undefined>,
  limit: number,
): Promise<{ rows: AdminAlert[]; more: boolean }> {
  const rows: AdminAlert[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.call(
      {
        action: "list the alerts",
        method: "GET",
        path: "/alerts",
        query: { ...query, limit: String(Math.min(1000, limit - rows.length)), cursor },
        flags: { "query.has_active_decision": "--has-active-decision" },
      },
      adminAlertPageSchema,
    );
    rows.push(...page.alerts);
    if (page.next_cursor === null) return { rows, more: false };
    if (rows.length >= limit) return { rows, more: true };
    cursor = String(page.next_cursor);
  }
}

function alertTable(rows: readonly AdminAlert[]): string {
  return table(
    ["id", "scope:value", "reason", "decisions", "events", "machine", "created"],
    rows.map((a) => [
      a.id,
      `${a.scope}:${a.value}`,
      a.scenario,
      a.allowlisted ? "allowlisted" : decisionSummary(a),
      a.events_count,
      a.machine,
      when(a.created_at),
    ]),
  );
}

/** `ban:1 captcha:1` (active ones), or `ended` when it had some and none is left. */
function decisionSummary(a: AdminAlert): string {
  const counts = new Map<string, number>();
  for (const d of a.decisions) if (d.active) counts.set(d.type, (counts.get(d.type) ?? 0) + 1);
  if (counts.size === 0) return a.decisions.length > 0 ? "ended" : "";
  return [...counts].map(([t, n]) => `${t}:${n}`).join(" ");
}

async function inspect(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  const [id] = positionalsOf(positionals, ["ID"], USAGE);
  const output = outputOf(values.output);
  const alert = await clientFor(values).call(
    {
      action: `inspect alert ${id}`,
      method: "GET",
      path: `/alerts/${encodeURIComponent(id as string)}`,
      flags: { "params.id": "the alert ID" },
      fixes: { "404": "list the alerts with palisade alerts list." },
    },
    adminAlertDetailSchema,
  );
  if (output === "json") return printJson(alert);
  print(alertDetail(alert));
}

function alertDetail(a: AdminAlertDetail): string {
  const parts = [
    fields([
      ["ID", a.id],
      ["Scenario", a.scenario],
      ["Message", a.message],
      ["Source", `${a.scope}:${a.value}`],
      ["Events", a.events_count],
      ["Start", when(a.start_at)],
      ["Stop", when(a.stop_at)],
      ["Created", when(a.created_at)],
      ["Machine", a.machine],
      ["Capacity", a.capacity],
      ["Leakspeed", a.leakspeed],
      ["Remediation", a.remediation],
      ["Profile", a.profile],
      ["Allowlisted", a.allowlisted ? `yes (${a.allowlisted_by ?? "allowlist"})` : "no"],
    ]),
  ];
  parts.push("", "Decisions:", a.decisions.length > 0 ? decisionTable(a.decisions) : "  none");
  if (a.origins.length > 0) {
    const rows = a.origins.map((o) => [o.machine ?? "?", o.src, labelText(o.labels), o.events]);
    parts.push("", "Sent by:", table(["machine", "source", "labels", "events"], rows));
  }
  const events = a.events.map((e) => [when(e.time), metaText(e.meta)]);
  parts.push(
    "",
    `Events (${a.events.length} kept):`,
    events.length > 0 ? table(["time", "meta"], events) : "  none",
  );
  const raw = a.events.flatMap((e) => (e.raw === null ? [] : [`  ${e.raw}`]));
  if (raw.length > 0) parts.push("", `Log lines (${raw.length} kept, oldest first):`, ...raw);
  return parts.join("\n");
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

function metaText(meta: Readonly<Record<string, string>>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

export const alerts: Noun = { usage: USAGE, verbs: { list, inspect } };
