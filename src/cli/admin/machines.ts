import { writeFileSync } from "node:fs";
import {
  type MachineRole,
  machineCreatedSchema,
  machineListSchema,
  machineRoleSchema,
} from "../../contract/admin-access";
import { fail } from "../errors";
import {
  clientFor,
  deleteNamedVerb,
  NAME_FLAGS,
  type Noun,
  outputOf,
  parseVerb,
  positionalsOf,
  print,
  printJson,
} from "./command";
import { table, when } from "./table";

const USAGE = `Usage:
  palisade machines list [-o human|json]
  palisade machines add NAME [--role watcher|ingest] [-f FILE] [-o human|json]
  palisade machines delete NAME [-o human|json]

add makes a machine and shows its token once. --role watcher (the default, CrowdSec's
meaning of a machine): a CrowdSec agent or cscli logs in as NAME with the token as its
password, pushes alerts and ends the decisions of its own alerts; -f FILE writes its
local_api_credentials.yaml (url, login, password) for /etc/crowdsec. --role ingest: the
token a shipper sends to /_palisade/v1/ingest, and nothing more (it cannot log in, lift a
ban or make one). -o json prints {"name","role","token","created_at"}. delete revokes a
machine at once, a watcher's unexpired sessions included. The bootstrap machine
(PALISADE_MACHINE_TOKEN, ingest only) is not listed.`;

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  positionalsOf(positionals, [], USAGE);
  const output = outputOf(values.output);
  const out = await clientFor(values).call(
    { action: "list the machines", method: "GET", path: "/machines" },
    machineListSchema,
  );
  if (output === "json") return printJson(out.machines);
  if (out.machines.length === 0)
    return print("No machines. Add one with palisade machines add NAME.");
  print(
    table(
      ["name", "role", "last seen", "created"],
      out.machines.map((m) => [m.name, m.role, when(m.last_seen), when(m.created_at)]),
    ),
  );
}

function roleOf(value: string | undefined): MachineRole {
  const r = machineRoleSchema.safeParse(value ?? "watcher");
  if (r.success) return r.data;
  return fail(
    `--role ${JSON.stringify(value)} is not a machine role`,
    "a machine either logs in as a watcher (CrowdSec agents, cscli) or sends logs (shippers)",
    "--role watcher (a CrowdSec agent or cscli) or --role ingest (a shipper)",
  );
}

/** cscli's local_api_credentials.yaml for a watcher: the agent appends `v1/…` to `url`. */
function credentialsYaml(base: string, login: string, password: string): string {
  return `url: ${base}/_palisade/\nlogin: ${login}\npassword: ${password}\n`;
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {
    role: { type: "string" },
    file: { type: "string", short: "f" },
  });
  const [name] = positionalsOf(positionals, ["NAME"], USAGE);
  const output = outputOf(values.output);
  const role = roleOf(values.role);
  if (values.file !== undefined && role !== "watcher") {
    fail(
      "-f was given for an ingest machine",
      "-f writes a watcher's local_api_credentials.yaml, and an ingest machine never logs in",
      "drop -f, or use --role watcher",
    );
  }
  const client = clientFor(values);
  const out = await client.call(
    {
      action: `add machine ${name}`,
      method: "POST",
      path: "/machines",
      body: { name, role },
      flags: { ...NAME_FLAGS, "body.role": "--role" },
      fixes: {
        name_taken: `pick another NAME, or revoke the old token first: palisade machines delete ${name}.`,
        name_reserved: "pick another NAME: bootstrap is the PALISADE_MACHINE_TOKEN machine.",
      },
    },
    machineCreatedSchema,
  );
  const yaml = credentialsYaml(client.conn.base, out.name, out.token);
  if (values.file !== undefined) writeFileSync(values.file, yaml, { mode: 0o600 });
  if (output === "json") return printJson(out);
  print(humanAdded(out, client.conn.base, yaml, values.file));
}

function humanAdded(
  out: { name: string; role: MachineRole; token: string },
  base: string,
  yaml: string,
  file: string | undefined,
): string {
  const head = [`Token for ${out.role} machine '${out.name}':`, "", `   ${out.token}`, ""];
  if (out.role === "ingest") {
    return [
      ...head,
      `Keep it now: it cannot be shown again. It is the shipper's token (url: ${base}).`,
    ].join("\n");
  }
  const where = file
    ? `Written to ${file} (mode 600): point the agent's or cscli's api.client.credentials_path at it.`
    : `Keep it now: it cannot be shown again. An agent's or cscli's local_api_credentials.yaml:\n\n${yaml}`;
  return [...head, where].join("\n");
}

export const machines: Noun = {
  usage: USAGE,
  verbs: {
    list,
    add,
    delete: deleteNamedVerb({
      noun: "machine",
      path: "/machines",
      usage: USAGE,
      credential: "its token",
    }),
  },
};
