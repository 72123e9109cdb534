import { type ParseArgsConfig, parseArgs } from "node:util";
import { countSchema } from "../../contract/admin-access";
import { fail } from "../errors";
import { AdminClient } from "./client";
import { resolveConnection } from "./connection";

/** Flags every admin command takes, and the shape every noun's verbs share. */

const connectionOptions = {
  url: { type: "string" },
  token: { type: "string" },
  config: { type: "string" },
  output: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

type Options = NonNullable<ParseArgsConfig["options"]>;

export type Output = "human" | "json";

/** A noun's verbs (`list`, `add`, …) and its usage text. */
export interface Noun {
  usage: string;
  verbs: Readonly<Record<string, (args: string[]) => Promise<void>>>;
}

interface VerbConfig<O extends Options> {
  args: string[];
  options: typeof connectionOptions & O;
  allowPositionals: true;
  strict: true;
}

export type ParsedVerb<O extends Options> = ReturnType<typeof parseArgs<VerbConfig<O>>>;

export function parseVerb<const O extends Options>(args: string[], options: O): ParsedVerb<O> {
  return parseArgs<VerbConfig<O>>({
    args,
    options: { ...connectionOptions, ...options },
    allowPositionals: true,
    strict: true,
  });
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
    `-o ${JSON.stringify(value)} is not an output format.\n  fix: use -o human (tables, the default) or -o json (for scripts).`,
  );
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** Exactly `n` positional arguments, or a message naming what is missing or extra. */
export function positionalsOf(positionals: string[], names: string[], usage: string): string[] {
  if (positionals.length < names.length) {
    fail(`missing ${names.slice(positionals.length).join(" ")}.\n${usage}`);
  }
  if (positionals.length > names.length) {
    fail(`unexpected argument ${JSON.stringify(positionals[names.length])}.\n${usage}`);
  }
  return positionals;
}

/** `--limit N`: a count of rows, 0 for all. */
export function limitOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) {
    fail(
      `--limit ${JSON.stringify(value)} is not a number.\n  fix: give a count of rows, or 0 for all.`,
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

/** Runs the verb named by args[0] of a noun, or explains which verbs exist. */
export async function runNoun(name: string, noun: Noun, args: string[]): Promise<void> {
  const [verb, ...rest] = args;
  if (verb === undefined || verb === "help" || verb === "--help" || verb === "-h") {
    print(noun.usage);
    return;
  }
  const run = noun.verbs[verb];
  if (!run) {
    fail(
      `unknown command ${JSON.stringify(`${name} ${verb}`)}; ${name} has ${Object.keys(noun.verbs).join(", ")}.\n${noun.usage}`,
    );
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    print(noun.usage);
    return;
  }
  await run(rest);
}
