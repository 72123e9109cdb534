import {
  commonsStatusSchema,
  enrollmentKeySchema,
  explainSchema,
  memberListSchema,
  revokeAnswerSchema,
} from "../../contract/capi-commons";
import { commonsStatusSchema as memberStatusSchema } from "../../contract/commons-member";
import { fail } from "../errors";
import { type Noun, outputOf, parseVerb, positionalsOf, print, printJson } from "./command";
import { COMMONS_USAGE, commonsClient } from "./commons-client";
import { join, MEMBER_USAGE, memberStatusText, sharing, sync } from "./commons-member";
import { commonsSafeList } from "./commons-safelist";
import { resolveConnection } from "./connection";
import { fields, table, when } from "./table";

async function keys(args: string[]): Promise<void> {
  const [verb, ...rest] = args;
  if (verb !== "add")
    fail(`unknown command "commons keys ${verb ?? ""}"`, "keys has add", COMMONS_USAGE);
  const { values, positionals } = parseVerb(rest, {
    uses: { type: "string" },
    ttl: { type: "string" },
    note: { type: "string" },
    tag: { type: "string", multiple: true },
  });
  positionalsOf(positionals, [], COMMONS_USAGE);
  const output = outputOf(values.output);
  const uses = values.uses === undefined ? undefined : Number(values.uses);
  if (uses !== undefined && !Number.isInteger(uses))
    fail(
      `--uses ${JSON.stringify(values.uses)} is not a number`,
      "--uses is how many members may enroll with the key",
      "give a count, e.g. --uses 10",
    );
  const out = await commonsClient(values).call(
    {
      action: "add an enrollment key",
      method: "POST",
      path: "/enrollment-keys",
      body: { uses, ttl: values.ttl, note: values.note, tags: values.tag },
      flags: { "body.tags": "--tag" },
    },
    enrollmentKeySchema,
  );
  if (output === "json") return printJson(out);
  print(
    [
      `Enrollment key (${out.uses} use${out.uses === 1 ? "" : "s"}, valid until ${when(out.expires_at)}):`,
      "",
      `   ${out.key}`,
      "",
      "On the member: point online_api_credentials.yaml's url at this commons, then",
      `   cscli console enroll --name NAME ${out.key}`,
    ].join("\n"),
  );
}

async function members(args: string[]): Promise<void> {
  const [verb, ...rest] = args;
  if (verb === "list") return listMembers(rest);
  if (verb === "revoke") return revoke(rest);
  fail(
    `unknown command "commons members ${verb ?? ""}"`,
    "members has list, revoke",
    COMMONS_USAGE,
  );
}

async function listMembers(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  positionalsOf(positionals, [], COMMONS_USAGE);
  const output = outputOf(values.output);
  const out = await commonsClient(values).call(
    { action: "list the members", method: "GET", path: "/members" },
    memberListSchema,
  );
  if (output === "json") return printJson(out.members);
  if (out.members.length === 0)
    return print("No members yet. Engines join with cscli capi register.");
  print(
    table(
      [
        "machine id",
        "name",
        "enrolled",
        "trust",
        "last seen",
        "signals today",
        "per day",
        "version",
      ],
      out.members.map((m) => [
        m.machine_id,
        m.name,
        m.revoked ? "revoked" : m.enrolled,
        m.trust,
        when(m.last_seen),
        m.signals_today,
        m.signals_per_day,
        m.version,
      ]),
    ),
  );
}

async function revoke(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  const [id] = positionalsOf(positionals, ["MACHINE_ID"], COMMONS_USAGE);
  const output = outputOf(values.output);
  const out = await commonsClient(values).call(
    {
      action: `revoke member ${id}`,
      method: "DELETE",
      path: `/members/${encodeURIComponent(id as string)}`,
      flags: { "params.id": "MACHINE_ID" },
    },
    revokeAnswerSchema,
  );
  if (output === "json") return printJson(out);
  print(
    `Member ${out.machine_id} revoked: its credentials no longer work and its reports of ${out.keys_forgotten} address(es) are forgotten.`,
  );
}

async function why(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  const [ip] = positionalsOf(positionals, ["IP"], COMMONS_USAGE);
  const output = outputOf(values.output);
  const e = await commonsClient(values).call(
    {
      action: `explain ${ip}`,
      method: "GET",
      path: `/explain/${encodeURIComponent(ip as string)}`,
      flags: { "params.ip": "the IP argument" },
    },
    explainSchema,
  );
  if (output === "json") return printJson(e);
  const head = fields([
    ["address", e.key === e.ip ? e.ip : `${e.ip} (decided as ${e.key})`],
    ["listed", e.listed],
    ["classification", e.classification],
    ["reporters", `${e.reporters} counted (needs ${e.needs.reporters})`],
    ["score", `${e.score} (lists at ${e.needs.score}, kept at ${e.needs.keep_score})`],
    ["until", e.until],
  ]);
  const rows = e.reporters_detail.map((r) => [
    r.name || r.machine_id,
    r.scenario,
    r.counted ? "yes" : r.why,
    r.trust,
    r.weight,
    r.reports,
    when(r.last_at),
  ]);
  const detail =
    rows.length === 0
      ? "No reports in the window."
      : table(["member", "scenario", "counts", "trust", "weight", "reports", "last"], rows);
  print(`${e.verdict}\n\n${head}\n\n${detail}`);
}

/**
 * A Palisade deployment answers its own membership (`/_palisade/v1/admin/commons`); a
 * commons has no such route and answers its operator status instead.
 */
async function memberStatus(values: Parameters<typeof commonsClient>[0]) {
  const conn = resolveConnection(values as { url?: string; token?: string }, process.env);
  try {
    const res = await fetch(`${conn.base}/_palisade/v1/admin/commons`, {
      headers: { authorization: `Bearer ${conn.token}`, accept: "application/json" },
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 200) return undefined;
    const out = memberStatusSchema.safeParse(await res.json());
    return out.success ? out.data : undefined;
  } catch {
    return undefined;
  }
}

async function status(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  positionalsOf(positionals, [], COMMONS_USAGE);
  const output = outputOf(values.output);
  const member = await memberStatus(values);
  if (member) return output === "json" ? printJson(member) : print(memberStatusText(member));
  const s = await commonsClient(values).call(
    { action: "read the commons' status", method: "GET", path: "/status" },
    commonsStatusSchema,
  );
  if (output === "json") return printJson(s);
  print(
    fields([
      ["list version", s.version],
      ["listed", s.listed],
      ["published", when(s.published_at)],
      [
        "base snapshot",
        s.base ? `version ${s.base.version}, ${s.base.entries} entries` : "none yet",
      ],
      ["members", `${s.members} (${s.enrolled} enrolled)`],
      ["shards", s.shards],
      ["certified versions", s.certified_versions],
      ["safe-list entries", s.safe_entries],
    ]),
  );
}

export const commons: Noun = {
  usage: `${MEMBER_USAGE}

${COMMONS_USAGE}`,
  verbs: { join, sharing, sync, keys, members, why, safelist: commonsSafeList, status },
};
