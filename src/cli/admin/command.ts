import type { ParseArgsConfig } from "node:util";
import { countSchema } from "../../contract/admin-access";
import { closest } from "../../core/spelling";
import { fail, HelpRequested } from "../errors";
import { asksHelp, type ParsedFlags, parseFlags } from "../flags";
import { AdminClient } from "./client";
import { resolveConnection } from "./connection";

/** Flags every admin command takes, and the shape every noun's verbs share. */

const connectionOptions = {
  url: { type: "string" },
  token: { type: "string" },
  config: { type: "string" },
  output: { type: "string", short: "o" },
} as const satisfies ParseArgsConfig["options"];

type Options = NonNullable<ParseArgsConfig["options"]>;

export type Output = "human" | "json";

/** A noun's verbs (`list`, `add`, …) and its usage text. */
export interface Noun {
  usage: string;
  verbs: Readonly<Record<string, (args: string[]) => Promise<void>>>;
}

export type ParsedVerb<O extends Options> = ParsedFlags<typeof connectionOptions & O>;

/** The verb running now (one per process): what its flag and argument errors name. */
let running = { name: "", usage: "" };

export function parseVerb<const O extends Options>(args: string[], options: O): ParsedVerb<O> {
  return parseFlags(
    { name: running.name, usage: running.usage, options: { ...connectionOptions, ...options } },
    args,
  );
}

/** The client for these flags (URL and token from flags, environment or config file). */
export function clientFor(values: {
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}): AdminClient {
  return new AdminClient(resolveConnection(values, process.env));
}

export function outputOf(value: string | undefined): Output {
  if (value === undefined || value === "human") return "human";
  if (value === "json") return "json";
  return fail(
    `-o ${JSON.stringify(value)} is not an output format.`,
    "the output is a table for people or JSON for scripts.",
    "use -o human (tables, the default) or -o json (for scripts).",
  );
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** Exactly `n` positional arguments, or a message naming what is missing or extra. */
export function positionalsOf(positionals: string[], names: string[], _usage?: string): string[] {
  const takes =
    names.length > 0
      ? `palisade ${running.name} takes ${names.join(" ")}`
      : `palisade ${running.name} takes flags only`;
  const fix = `see palisade ${running.name} --help.`;
  if (positionals.length < names.length) {
    fail(`missing ${names.slice(positionals.length).join(" ")}.`, `${takes}.`, fix);
  }
  if (positionals.length > names.length) {
    fail(
      `unexpected argument ${JSON.stringify(positionals[names.length])}.`,
      `${takes}${names.length > 0 ? ", nothing more" : ""}.`,
      fix,
    );
  }
  return positionals;
}

/** `--limit N`: a count of rows, 0 for all. */
export function limitOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) {
    fail(
      `--limit ${JSON.stringify(value)} is not a number.`,
      "--limit is how many rows to show.",
      "give a count of rows, or 0 for all.",
    );
  }
  return Number(value) === 0 ? Number.POSITIVE_INFINITY : Number(value);
}

/** A named credential's validation paths, reported as the NAME argument. */
export const NAME_FLAGS = { "body.name": "NAME", "params.name": "NAME" };

/**
 * `palisade NOUNS delete NAME` for a named credential (a bouncer's key, a machine's
 * token): revokes it at once. `noun` is singular (`bouncer`), `path` the collection.
 */
export function deleteNamedVerb(o: {
  noun: string;
  path: string;
  usage: string;
  /** What stops working, for the confirmation: `its key`. */
  credential: string;
}): (args: string[]) => Promise<void> {
  return async (args) => {
    const { values, positionals } = parseVerb(args, {});
    const [name] = positionalsOf(positionals, ["NAME"], o.usage);
    const output = outputOf(values.output);
    const out = await clientFor(values).call(
      {
        action: `delete ${o.noun} ${name}`,
        method: "DELETE",
        path: `${o.path}/${encodeURIComponent(name as string)}`,
        flags: NAME_FLAGS,
        fixes: { "404": `list the ${o.noun}s with palisade ${o.noun}s list.` },
      },
      countSchema,
    );
    if (output === "json") return printJson(out);
    const title = `${(o.noun[0] as string).toUpperCase()}${o.noun.slice(1)}`;
    print(`${title} ${name} deleted: ${o.credential} no longer works.`);
  };
}

/** A verb's own lines of its noun's usage (its synopsis), then the noun's notes. */
export function verbUsage(noun: string, verb: string, usage: string): string {
  const lines = usage.split("\n");
  const start = `  palisade ${noun} ${verb}`;
  const own: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (line.startsWith("  palisade ")) inside = line.startsWith(`${start} `) || line === start;
    else if (!line.startsWith("    ")) inside = false;
    if (inside) own.push(line);
  }
  const notes = usage.slice(usage.indexOf("\n\n") + 2);
  return own.length > 0 ? `Usage:\n${own.join("\n")}\n\n${notes}` : usage;
}

/** Runs the verb named by args[0] of a noun, or explains which verbs exist. */
export async function runNoun(name: string, noun: Noun, args: string[]): Promise<void> {
  const [verb, ...rest] = args;
  if (verb === undefined || verb === "help" || verb === "--help" || verb === "-h") {
    print(noun.usage);
    return;
  }
  const run = noun.verbs[verb];
  const verbs = Object.keys(noun.verbs);
  if (!run) {
    const near = closest(verb, verbs);
    fail(
      `unknown command "palisade ${name} ${verb}".`,
      `palisade ${name} has ${verbs.join(", ")}.`,
      near !== undefined
        ? `did you mean palisade ${name} ${near}? (palisade ${name} --help shows them all)`
        : `see palisade ${name} --help.`,
    );
  }
  await runCommand(`${name} ${verb}`, verbUsage(name, verb, noun.usage), rest, run);
}

/** Runs one command (`decisions add`, `metrics`): its flag errors and --help name it. */
export async function runCommand(
  name: string,
  usage: string,
  args: string[],
  run: (args: string[]) => Promise<void>,
): Promise<void> {
  running = { name, usage };
  if (asksHelp(args)) throw new HelpRequested(usage);
  await run(args);
}
