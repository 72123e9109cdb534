import {
  type CommonsStatus,
  commonsStatusSchema,
  commonsSyncSchema,
  ipViewSchema,
} from "../../contract/commons-member";
import { fail } from "../errors";
import { clientFor, outputOf, parseVerb, positionalsOf, print, printJson } from "./command";
import { fields, table, when } from "./table";

/**
 * `palisade commons join|sharing|sync` and the member's `commons status`: this deployment
 * as a member of a commons, over its own admin API (PALISADE_URL / PALISADE_TOKEN).
 */

export const MEMBER_USAGE = `Usage (PALISADE_URL / --url is this deployment, PALISADE_TOKEN / --token its PALISADE_ADMIN_TOKEN):
  palisade commons join --commons URL --key ENROLLMENT_KEY [--name NAME] [-o human|json]
  palisade commons sharing [--alerts on|off] [--manual on|off] [--context on|off] [-o human|json]
  palisade commons sync [-o human|json]
  palisade commons status [-o human|json]
  palisade ip IP [-o human|json]

join registers this deployment with the commons, enrolls it with the key its operator
gave (palisade commons keys add), and pulls the community list: decisions of origin CAPI,
enforced at the edge. sharing shows or switches what is shared (detected alerts: on;
manual decisions: off; context, the request path and user agent: off; allowlisted
sources and log lines: never). Sharing nothing stops the pull too, as in CrowdSec.`;

export async function join(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {
    commons: { type: "string" },
    key: { type: "string" },
    name: { type: "string" },
  });
  positionalsOf(positionals, [], MEMBER_USAGE);
  const output = outputOf(values.output);
  if (!values.commons || !values.key)
    fail(
      `commons join needs ${values.commons ? "--key" : "--commons"}`,
      "joining takes the commons' URL and an enrollment key from its operator",
      "palisade commons join --commons https://commons.example.net --key KEY",
    );
  const st = await clientFor(values).call(
    {
      action: `join the commons at ${values.commons}`,
      method: "POST",
      path: "/commons/join",
      body: { url: values.commons, key: values.key, name: values.name },
      flags: { "body.url": "--commons", "body.key": "--key", "body.name": "--name" },
    },
    commonsStatusSchema,
  );
  if (output === "json") return printJson(st);
  print(
    `Joined the commons at ${st.url} as ${st.machine_id} (enrolled).\n` +
      `Community list: ${st.list_size} decision(s) of origin CAPI applied here.\n\n${sharingText(st)}`,
  );
}

function onOff(flag: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === "on" || v === "true") return true;
  if (v === "off" || v === "false") return false;
  return fail(
    `${flag} ${JSON.stringify(v)} is not on or off`,
    `${flag} switches a kind of sharing`,
    `use ${flag} on or ${flag} off`,
  );
}

export async function sharing(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {
    alerts: { type: "string" },
    manual: { type: "string" },
    context: { type: "string" },
  });
  positionalsOf(positionals, [], MEMBER_USAGE);
  const output = outputOf(values.output);
  const body = {
    alerts: onOff("--alerts", values.alerts),
    manual: onOff("--manual", values.manual),
    context: onOff("--context", values.context),
  };
  const change = Object.values(body).some((v) => v !== undefined);
  const st = await clientFor(values).call(
    change
      ? { action: "change what is shared", method: "POST", path: "/commons/sharing", body }
      : { action: "read the membership", method: "GET", path: "/commons" },
    commonsStatusSchema,
  );
  if (output === "json") return printJson(st);
  print(sharingText(st));
}

function sharingText(st: CommonsStatus): string {
  const yn = (b: boolean) => (b ? "on" : "off");
  const s = st.sharing;
  const lines = [
    "Shared with the commons:",
    `  detected alerts      ${yn(s.alerts)}`,
    `  manual decisions     ${yn(s.manual)}`,
    `  context (path, UA)   ${yn(s.context)}`,
    "  allowlisted sources  never",
    "  log lines            never",
  ];
  if (!st.pulling)
    lines.push(
      "",
      "Nothing is shared: as in CrowdSec, the community list is not pulled either (its decisions were removed here). Turn --alerts on to get it back.",
    );
  return lines.join("\n");
}

export async function sync(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  positionalsOf(positionals, [], MEMBER_USAGE);
  const output = outputOf(values.output);
  const out = await clientFor(values).call(
    { action: "sync with the commons", method: "POST", path: "/commons/sync" },
    commonsSyncSchema,
  );
  if (output === "json") return printJson(out);
  const pulled = out.pulled
    ? `${out.pulled.added} added, ${out.pulled.removed} removed`
    : "not pulling";
  print(`Pushed ${out.pushed} signal(s); pulled: ${pulled}; list size ${out.status.list_size}.`);
}

export function memberStatusText(st: CommonsStatus): string {
  if (!st.joined)
    return "Not a member of a commons. Join one: palisade commons join --commons URL --key KEY";
  return fields([
    ["commons", st.url],
    ["machine id", st.machine_id],
    ["name", st.name],
    ["enrolled", when(st.enrolled_at)],
    [
      "sharing",
      `alerts ${st.sharing.alerts ? "on" : "off"}, manual ${st.sharing.manual ? "on" : "off"}, context ${st.sharing.context ? "on" : "off"}`,
    ],
    ["pulling", st.pulling ? "yes" : "no (nothing is shared)"],
    ["last push", when(st.last_push)],
    ["last pull", when(st.last_pull)],
    ["signals shared", st.signals_shared],
    ["signals pending", st.signals_pending],
    ["list size", st.list_size],
    ["deleted here", st.suppressed],
    ["last error", st.last_error ? `${st.last_error} (${when(st.last_error_at)})` : "none"],
  ]);
}

export const IP_USAGE = `Usage:
  palisade ip IP [-o human|json]

What this deployment knows of an address (alerts, decisions, allowlist) and what the
commons says of it (its reputation), in one view.`;

export async function runIp(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  if (positionals[0] === "help") return print(IP_USAGE);
  const [ip] = positionalsOf(positionals, ["IP"], IP_USAGE);
  const output = outputOf(values.output);
  const v = await clientFor(values).call(
    {
      action: `look up ${ip}`,
      method: "GET",
      path: `/ip/${encodeURIComponent(ip as string)}`,
      flags: { "params.ip": "the IP argument" },
    },
    ipViewSchema,
  );
  if (output === "json") return printJson(v);
  const allow = v.allowlist.allowlisted ? `${v.allowlist.allowlisted}: ${v.allowlist.by}` : "no";
  const decisions =
    v.decisions.length === 0
      ? "  none"
      : table(
          ["id", "origin", "action", "scope:value", "scenario", "active", "until"],
          v.decisions.map((d) => [
            d.id,
            d.origin,
            d.type,
            `${d.scope}:${d.value}`,
            d.scenario,
            d.active,
            when(d.until),
          ]),
        );
  const alerts =
    v.alerts.length === 0
      ? "  none"
      : table(
          ["id", "scenario", "events", "created"],
          v.alerts.map((a) => [a.id, a.scenario, a.events_count, when(a.created_at)]),
        );
  const c = v.commons;
  const commons = !c.joined
    ? "  not a member of a commons"
    : "error" in c
      ? `  unavailable: ${c.error}`
      : fields([
          ["classification", c.reputation.classification],
          ["listed", c.reputation.listed],
          ["reporters", c.reputation.reporters],
          ["scenarios", c.reputation.scenarios.join(", ") || "none"],
          ["until", c.reputation.until],
          ["reason", c.reputation.reason],
        ]);
  print(
    `${v.ip}\n\nAllowlisted here: ${allow}\n\nDecisions here\n${decisions}\n\nAlerts here\n${alerts}\n\nThe commons says\n${commons}`,
  );
}
