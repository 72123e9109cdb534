import { type Bouncer, bouncerCreatedSchema, bouncerListSchema } from "../../contract/admin-access";
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
  palisade bouncers list [-o human|json]
  palisade bouncers add NAME [-o human|json]
  palisade bouncers delete NAME [-o human|json]

add creates an API key for a CrowdSec bouncer (firewall, nginx, HAProxy, …), shown once:
set the bouncer's api_url to https://<host>/_palisade/ and its api_key to the key.
-o json prints {"name","api_key","created_at"}. delete revokes the key at once.
list shows each key's last pull, and each instance (client IP) sharing it.`;

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  positionalsOf(positionals, [], USAGE);
  const output = outputOf(values.output);
  const out = await clientFor(values).call(
    { action: "list the bouncers", method: "GET", path: "/bouncers" },
    bouncerListSchema,
  );
  if (output === "json") return printJson(out.bouncers);
  if (out.bouncers.length === 0)
    return print("No bouncers. Add one with palisade bouncers add NAME.");
  print(
    table(
      ["name", "last pull", "user agent", "last ip", "instances", "created"],
      out.bouncers.map((b: Bouncer) => [
        b.name,
        when(b.last_pull),
        b.user_agent,
        b.last_ip,
        b.instances.length,
        when(b.created_at),
      ]),
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
      action: `add bouncer ${name}`,
      method: "POST",
      path: "/bouncers",
      body: { name },
      flags: NAME_FLAGS,
      fixes: {
        name_taken: `pick another NAME, or revoke the old key first: palisade bouncers delete ${name}.`,
      },
    },
    bouncerCreatedSchema,
  );
  if (output === "json") return printJson(out);
  print(
    [
      `API key for '${out.name}':`,
      "",
      `   ${out.api_key}`,
      "",
      "Keep it now: it cannot be shown again. In the bouncer's configuration:",
      `   api_url: ${client.conn.base}/_palisade/`,
      `   api_key: ${out.api_key}`,
    ].join("\n"),
  );
}

export const bouncers: Noun = {
  usage: USAGE,
  verbs: {
    list,
    add,
    delete: deleteNamedVerb({
      noun: "bouncer",
      path: "/bouncers",
      usage: USAGE,
      credential: "its key",
    }),
  },
};
