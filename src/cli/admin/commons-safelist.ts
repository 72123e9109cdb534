import { readFileSync } from "node:fs";
import {
  safeChangeAnswerSchema,
  safeListSchema,
  safeSourceAnswerSchema,
} from "../../contract/capi-commons";
import { fail } from "../errors";
import { outputOf, parseVerb, positionalsOf, print, printJson } from "./command";
import { COMMONS_USAGE, commonsClient } from "./commons-client";
import { table } from "./table";

/** `palisade commons safelist list|add|remove|load`: the addresses the commons never lists. */
export async function commonsSafeList(args: string[]): Promise<void> {
  const [verb, ...rest] = args;
  const run = { list, add, remove, load }[verb ?? ""];
  if (!run)
    fail(
      `unknown command "commons safelist ${verb ?? ""}"`,
      "safelist has list, add, remove, load",
      `one of them:\n${COMMONS_USAGE}`,
    );
  await run(rest);
}

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  positionalsOf(positionals, [], COMMONS_USAGE);
  const output = outputOf(values.output);
  const out = await commonsClient(values).call(
    { action: "list the safe list", method: "GET", path: "/safelist" },
    safeListSchema,
  );
  if (output === "json") return printJson(out.entries);
  print(
    table(
      ["cidr", "source", "reason"],
      out.entries.map((e) => [e.cidr, e.source, e.reason]),
    ),
  );
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, { reason: { type: "string" } });
  const [cidr] = positionalsOf(positionals, ["CIDR"], COMMONS_USAGE);
  if (!values.reason)
    fail(
      "commons safelist add has no --reason",
      "every safe-list entry says why it is safe, for whoever reads the list later",
      '--reason "why it is safe"',
    );
  const output = outputOf(values.output);
  const out = await commonsClient(values).call(
    {
      action: `safe-list ${cidr}`,
      method: "POST",
      path: "/safelist",
      body: { cidr, reason: values.reason },
      flags: { "body.cidr": "the CIDR argument" },
    },
    safeChangeAnswerSchema,
  );
  if (output === "json") return printJson(out);
  print(
    `Safe-listed ${cidr}: never listed from now on; ${out.delisted} listed address(es) inside it withdrawn.`,
  );
}

async function remove(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  const [cidr] = positionalsOf(positionals, ["CIDR"], COMMONS_USAGE);
  const output = outputOf(values.output);
  const out = await commonsClient(values).call(
    {
      action: `remove ${cidr} from the safe list`,
      method: "DELETE",
      path: `/safelist/${encodeURIComponent(cidr as string)}`,
      flags: { "params.cidr": "the CIDR argument" },
      fixes: { not_safe_listed: "list the entries with palisade commons safelist list." },
    },
    safeChangeAnswerSchema,
  );
  if (output === "json") return printJson(out);
  print(`Removed ${cidr} from the safe list (version ${out.version}).`);
}

async function load(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  const [name, file] = positionalsOf(positionals, ["NAME", "FILE"], COMMONS_USAGE);
  const output = outputOf(values.output);
  let text: string;
  try {
    text = readFileSync(file as string, "utf8");
  } catch (e) {
    return fail(
      `cannot read ${file}`,
      (e as Error).message,
      "give a text file, one IP or CIDR per line",
    );
  }
  const out = await commonsClient(values).call(
    {
      action: `load safe-list source ${name}`,
      method: "PUT",
      path: `/safelist/sources/${(name as string).split("/").map(encodeURIComponent).join("/")}`,
      text,
      flags: { body: "FILE", "params.name": "NAME" },
    },
    safeSourceAnswerSchema,
  );
  if (output === "json") return printJson(out);
  print(
    `Source ${out.source}: ${out.entries} entries (safe list version ${out.version}); ${out.delisted} listed address(es) withdrawn.`,
  );
}
