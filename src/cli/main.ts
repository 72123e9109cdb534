import type { ParseArgsConfig } from "node:util";
import { compileCustomParser } from "../core/parser/custom";
import type { LogParser, ParseOptions } from "../core/parser/index";
import { parserFor, parserTypes } from "../core/parser/index";
import { isValidTimezone } from "../core/parser/timezone";
import { closest } from "../core/spelling";
import { ADMIN_COMMANDS, ADMIN_USAGE, isAdminCommand, runAdmin } from "./admin/index";
import { readConfigFile } from "./config-files";
import { runDoctor } from "./doctor-command";
import { fail, HelpRequested, UserError } from "./errors";
import { parseFlags } from "./flags";
import { runParse } from "./parse-command";
import { runReplay } from "./replay-command";

const USAGE = `Usage:
  palisade parse --type TYPE [--parser FILE] [--year N] [--timezone TZ] [FILE|-]...
  palisade replay --type TYPE [--scenarios PATH]... [--data DIR] [--profiles FILE]
                  [--allowlist FILE] [--no-default-allowlist] [--year N] [--timezone TZ] FILE|-...
  palisade scenarios lint PATH...
  palisade doctor [--env NAME] [--secrets FILE]   before a real deploy (npm run preflight)
  palisade COMMAND --help             a command's flags; palisade --version

TYPE is an acquisition label: nginx, apache2, syslog, traefik, journald, or the type of
a custom parser given with --parser FILE (a regex with named groups, in YAML).
Without --scenarios, replay runs the built-in pack; without --profiles, the built-in
profiles (captcha, then bans that double for repeat offenders); private and loopback
ranges are allowlisted unless --no-default-allowlist.
Yearless syslog timestamps get --year, or the current year; zone-less times are read in
--timezone (IANA name, default UTC).`;

const common = {
  type: { type: "string", short: "t" },
  parser: { type: "string" },
  year: { type: "string" },
  timezone: { type: "string" },
} as const satisfies ParseArgsConfig["options"];

const PARSE_USAGE = `Usage:
  palisade parse --type TYPE [--parser FILE] [--year N] [--timezone TZ] [FILE|-]...

One JSON object per input line on stdout ({"line","ok","time","meta","parsed"}), a summary
on stderr. Without FILE, standard input.`;

const REPLAY_USAGE = `Usage:
  palisade replay --type TYPE [--scenarios PATH]... [--data DIR] [--profiles FILE]
                  [--allowlist FILE] [--no-default-allowlist] [--year N] [--timezone TZ] FILE|-...

Alerts as JSON lines ordered by stop_at, a summary on stderr. Without --scenarios, the
built-in pack; without --profiles, the built-in profiles.`;

const VERSION = process.env.PALISADE_VERSION ?? "dev";

function parserOption(type: string | undefined, custom?: string): LogParser {
  const types = parserTypes();
  if (custom !== undefined) {
    const file = readConfigFile(custom, "parser file");
    const r = compileCustomParser(file.text, file.path);
    if (!r.ok)
      fail(
        `the custom parser ${custom} is not valid.`,
        r.errors.map((d) => `${d.path}: ${d.message}`).join("; "),
        "correct the file (its format: src/core/parser/custom-schema.ts).",
      );
    if (type !== undefined && type !== r.value.type) {
      fail(
        `--type ${type} does not match the custom parser's type ${r.value.type}.`,
        "a custom parser names the type it reads.",
        "drop --type, or make them equal.",
      );
    }
    return r.value;
  }
  if (!type)
    fail(
      "--type is required.",
      "the log's format decides how its lines are read.",
      `give the log's acquisition type: ${types.join(", ")} (or --parser FILE for your own format).`,
    );
  const p = parserFor(type);
  if (!p) {
    const near = closest(type, types);
    fail(
      `unknown --type ${JSON.stringify(type)}.`,
      `the known types are ${types.join(", ")}.`,
      near !== undefined
        ? `did you mean --type ${near}?`
        : "use one of them, or --parser FILE for your own format.",
    );
  }
  return p;
}

function parseOptionsFrom(values: Record<string, unknown>): ParseOptions {
  const opts: ParseOptions = { now: Date.now() };
  if (typeof values.year === "string") {
    const y = Number(values.year);
    if (!Number.isInteger(y) || y < 1970 || y > 9999) {
      fail(
        `--year ${JSON.stringify(values.year)} is not a year.`,
        "it is the year given to syslog timestamps that have none.",
        "give four digits, e.g. --year 2025.",
      );
    }
    opts.year = y;
  }
  if (typeof values.timezone === "string") {
    if (!isValidTimezone(values.timezone)) {
      fail(
        `--timezone ${JSON.stringify(values.timezone)} is not a known IANA time zone.`,
        "timestamps without an offset are read in this zone.",
        "use e.g. UTC or Europe/Paris.",
      );
    }
    opts.timezone = values.timezone;
  }
  return opts;
}

const COMMANDS = ["parse", "replay", "doctor", "help", "version", ...ADMIN_COMMANDS];

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n\n${ADMIN_USAGE}\n`);
    return;
  }
  if (command === "--version" || command === "-V" || command === "version") {
    process.stdout.write(`palisade ${VERSION}\n`);
    return;
  }
  if (command === "parse") return parse(rest);
  if (command === "replay") return replay(rest);
  if (command === "doctor") return runDoctor(rest);
  if (isAdminCommand(command)) return runAdmin(command, rest);
  const near = command.startsWith("-") ? undefined : closest(command, COMMANDS);
  fail(
    `unknown command ${JSON.stringify(command)}.`,
    `palisade's commands are ${COMMANDS.filter((c) => c !== "help" && c !== "version").join(", ")}.`,
    near !== undefined
      ? `did you mean palisade ${near}? (palisade --help shows them all)`
      : "see palisade --help.",
  );
}

async function parse(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    { name: "parse", usage: PARSE_USAGE, options: common },
    args,
  );
  await runParse({
    parser: parserOption(values.type, values.parser),
    files: positionals.length > 0 ? positionals : ["-"],
    options: parseOptionsFrom(values),
  });
}

async function replay(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    {
      name: "replay",
      usage: REPLAY_USAGE,
      options: {
        ...common,
        scenarios: { type: "string", multiple: true },
        data: { type: "string" },
        profiles: { type: "string" },
        allowlist: { type: "string", multiple: true },
        "no-default-allowlist": { type: "boolean" },
      },
    },
    args,
  );
  if (positionals.length === 0)
    fail(
      "replay needs at least one log file.",
      "it replays logs that already exist.",
      "give the files, or - for standard input.",
    );
  await runReplay({
    parser: parserOption(values.type, values.parser),
    parseOptions: parseOptionsFrom(values),
    files: positionals,
    scenarios: values.scenarios ?? [],
    data: values.data,
    profiles: values.profiles,
    allowlists: values.allowlist ?? [],
    defaultAllowlist: values["no-default-allowlist"] !== true,
  });
}

// `palisade parse … | head`: the reader left; what is left to print has no one to read it.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof HelpRequested) {
    process.stdout.write(`${e.usage}\n`);
    return;
  }
  if (e instanceof UserError) {
    process.stderr.write(`palisade: ${e.message}\n`);
    process.exitCode = 1;
    return;
  }
  throw e;
});
