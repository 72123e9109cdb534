import { type ParseArgsConfig, parseArgs } from "node:util";
import { closest } from "../core/spelling";
import { fail, HelpRequested } from "./errors";

/**
 * Every command's flags are read here, so that each one answers `--help` the same way
 * (its usage on stdout, exit 0) and every bad flag gets the same what/why/fix with a
 * "did you mean" (Node's parseArgs messages name neither the command nor the fix).
 */

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec<O extends Options> {
  /** As typed: `parse`, `decisions add`. */
  name: string;
  usage: string;
  options: O;
}

interface Config<O extends Options> {
  args: string[];
  options: O & { help: { type: "boolean"; short: "h" } };
  allowPositionals: true;
  strict: true;
}

export type ParsedFlags<O extends Options> = ReturnType<typeof parseArgs<Config<O>>>;

const HELP = { help: { type: "boolean", short: "h" } } as const;

/** Whether `--help`/`-h` comes before a `--` (after it, it is an argument). */
export function asksHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

export function parseFlags<const O extends Options>(
  spec: CommandSpec<O>,
  args: string[],
): ParsedFlags<O> {
  if (asksHelp(args)) throw new HelpRequested(spec.usage);
  try {
    return parseArgs<Config<O>>({
      args,
      options: { ...spec.options, ...HELP },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) throw e;
    return flagError(spec, code, (e as Error).message);
  }
}

function flagNames(options: Options): string[] {
  return Object.keys(options).map((k) => `--${k}`);
}

function flagError(spec: CommandSpec<Options>, code: string, message: string): never {
  const known = flagNames(spec.options);
  const takes = known.length > 0 ? `it takes ${known.join(", ")}` : "it takes no flags";
  const help = `palisade ${spec.name} --help`;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'(-{1,2}[^']*)'/.exec(message)?.[1] ?? "?";
    const near = closest(flag.replace(/^-+/, ""), Object.keys(spec.options));
    fail(
      `unknown flag ${flag} for palisade ${spec.name}.`,
      `${takes}.`,
      near !== undefined ? `did you mean --${near}? (${help} shows them all)` : `see ${help}.`,
    );
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    // Node says "Option '-t, --type <value>' argument missing": name the long form.
    const flag = /'(?:-\w, )?(-{1,2}[\w-]+)/.exec(message)?.[1] ?? "a flag";
    const needs = /argument missing/.test(message);
    fail(
      needs ? `${flag} needs a value.` : `${flag} takes no value.`,
      needs ? `it was last on the line, or followed by another flag.` : message,
      needs ? `write ${flag} VALUE (see ${help}).` : `write ${flag} alone (see ${help}).`,
    );
  }
  fail(`palisade ${spec.name}: ${message}`, `${takes}.`, `see ${help}.`);
}
