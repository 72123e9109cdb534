import { machineCreatedSchema, machineListSchema } from "../../contract/admin-access";
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
  palisade machines add NAME [-o human|json]
  palisade machines delete NAME [-o human|json]

add creates a machine token, shown once: the shipper's token (ingest), and the password
of a CrowdSec agent or cscli logging in as NAME at /_palisade/v1/watchers/login.
-o json prints {"name","token","created_at"}. delete revokes it at once (ingest and
watcher access). The bootstrap machine (PALISADE_MACHINE_TOKEN) is not listed.`;

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
      ["name", "last seen", "created"],
      out.machines.map((m) => [m.name, when(m.last_seen), when(m.created_at)]),
    ),
  );
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  const [name] = positionalsOf(positionals, ["NAME"], USAGE);
  const output = outputOf(values.output);
  const client = clientFor(values);
  const out = await client.call(
    {
      action: `add machine ${name}`,
      method: "POST",
      path: "/machines",
      body: { name },
      flags: NAME_FLAGS,
      fixes: {
        name_taken: `pick another NAME, or revoke the old token first: palisade machines delete ${name}.`,
        name_reserved: "pick another NAME: bootstrap is the PALISADE_MACHINE_TOKEN machine.",
      },
    },
    machineCreatedSchema,
  );
  if (output === "json") return printJson(out);
  print(
    [
      `Token for machine '${out.name}':`,
      "",
      `   ${out.token}`,
      "",
      "Keep it now: it cannot be shown again. Use it as the shipper's token (url: " +
        `${client.conn.base}) or as the watcher password of machine_id ${out.name}.`,
    ].join("\n"),
  );
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
