import { adminDeletedSchema } from "../../contract/admin";
import { allowAddedSchema, allowListSchema } from "../../contract/admin-access";
import { fail } from "../errors";
import {
  clientFor,
  type Noun,
  outputOf,
  parseVerb,
  positionalsOf,
  print,
  printJson,
} from "./command";
import { table, when } from "./table";

const USAGE = `Usage:
  palisade allowlist list [-o human|json]
  palisade allowlist add IP|CIDR [--reason TEXT] [--duration 24h | --expires-at ISO] [--force]
                         [-o human|json]
  palisade allowlist remove (IP|CIDR | --id N) [-o human|json]

An allowlisted address never gets a decision: adding an entry lifts the active decisions
it covers at once (the edge and the bouncers drop them), and later ones are not made.
Entries last until removed, or for --duration / until --expires-at. A range wider than
IPv4 /8 or IPv6 /32 is refused with what would happen; --force adds it anyway. An entry
lifts only the decisions it covers whole: a ban on a range around it stays, and the
edge (and the bouncers) let the allowlisted part through.`;

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  positionalsOf(positionals, [], USAGE);
  const output = outputOf(values.output);
  const out = await clientFor(values).call(
    { action: "list the allowlist", method: "GET", path: "/allowlist" },
    allowListSchema,
  );
  if (output === "json") return printJson(out.entries);
  if (out.entries.length === 0) return print("The allowlist is empty.");
  print(
    table(
      ["id", "value", "reason", "created", "expires"],
      out.entries.map((e) => [e.id, e.value, e.reason, when(e.created_at), when(e.expires_at)]),
    ),
  );
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {
    reason: { type: "string" },
    duration: { type: "string" },
    "expires-at": { type: "string" },
    force: { type: "boolean" },
  });
  const [value] = positionalsOf(positionals, ["IP|CIDR"], USAGE);
  const output = outputOf(values.output);
  const out = await clientFor(values).call(
    {
      action: `allowlist ${value}`,
      method: "POST",
      path: "/allowlist",
      body: {
        value,
        reason: values.reason,
        duration: values.duration,
        expires_at: values["expires-at"],
        force: values.force ? true : undefined,
      },
      flags: { "body.value": "the IP|CIDR argument" },
      fixes: { force_required: "if that is what you want, run the command again with --force." },
    },
    allowAddedSchema,
  );
  if (output === "json") return printJson(out);
  const e = out.entry;
  const until = e.expires_at ? ` until ${when(e.expires_at)}` : "";
  const lifted =
    out.lifted.length > 0
      ? ` Lifted ${out.lifted.length} active decision(s): ${out.lifted.join(", ")}.`
      : "";
  print(`Allowlisted ${e.value} (entry ${e.id}, ${e.reason})${until}.${lifted}`);
}

async function remove(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, { id: { type: "string" } });
  const output = outputOf(values.output);
  if ((values.id === undefined) === (positionals.length === 0) || positionals.length > 1) {
    fail(
      "allowlist remove takes one IP|CIDR, or --id N.",
      "it removes one entry, named by its value or its id.",
      "palisade allowlist remove 192.0.2.0/24, or palisade allowlist remove --id N.",
    );
  }
  const value = positionals[0];
  const out = await clientFor(values).call(
    value !== undefined
      ? {
          action: `remove ${value} from the allowlist`,
          method: "DELETE",
          path: "/allowlist",
          query: { value },
          flags: { "query.value": "the IP|CIDR argument" },
          fixes: { "404": "list the entries with palisade allowlist list." },
        }
      : {
          action: `remove allowlist entry ${values.id}`,
          method: "DELETE",
          path: `/allowlist/${encodeURIComponent(values.id as string)}`,
          fixes: { "404": "list the entries with palisade allowlist list." },
        },
    adminDeletedSchema,
  );
  if (output === "json") return printJson(out);
  print(
    `Removed ${out.deleted} allowlist entr${out.deleted === 1 ? "y" : "ies"}: ${out.ids.join(", ")}.`,
  );
}

export const allowlist: Noun = { usage: USAGE, verbs: { list, add, remove } };
