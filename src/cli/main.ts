import { type ParseArgsConfig, parseArgs } from "node:util";
import { formatDiagnostic } from "../core/diagnostic";
import { compileCustomParser } from "../core/parser/custom";
import type { LogParser, ParseOptions } from "../core/parser/index";
import { parserFor, parserTypes } from "../core/parser/index";
import { isValidTimezone } from "../core/parser/timezone";
import { lintScenarios } from "../core/scenario/index";
import { ADMIN_USAGE, isAdminCommand, runAdmin } from "./admin/index";
import { dataStoreFor, readConfigFile, scenarioFilesFrom } from "./config-files";
import { fail, UserError } from "./errors";
import { runParse } from "./parse-command";
import { runReplay } from "./replay-command";

const USAGE = `Usage:
  palisade parse --type TYPE [--parser FILE] [--year N] [--timezone TZ] [FILE|-]...
  palisade replay --type TYPE [--scenarios PATH]... [--data DIR] [--profiles FILE]
                  [--allowlist FILE] [--no-default-allowlist] [--year N] [--timezone TZ] FILE|-...
  palisade scenarios lint PATH...

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
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

function parserOption(type: string | undefined, custom?: string): LogParser {
  if (custom !== undefined) {
    const file = readConfigFile(custom, "parser file");
    const r = compileCustomParser(file.text, file.path);
    if (!r.ok) fail(r.errors.map((d) => `${d.path}: ${d.message}`).join("\n"));
    if (type !== undefined && type !== r.value.type) {
      fail(
        `--type ${type} does not match the custom parser's type ${r.value.type}. Drop --type or make them equal.`,
      );
    }
    return r.value;
  }
  if (!type)
    fail(`--type is required. Give the log's acquisition type: ${parserTypes().join(", ")}.`);
  const p = parserFor(type);
  if (!p) fail(`unknown --type ${JSON.stringify(type)}. Known types: ${parserTypes().join(", ")}.`);
  return p;
}

function parseOptionsFrom(values: Record<string, unknown>): ParseOptions {
  const opts: ParseOptions = { now: Date.now() };
  if (typeof values.year === "string") {
    const y = Number(values.year);
    if (!Number.isInteger(y) || y < 1970 || y > 9999) {
      fail(
        `--year ${JSON.stringify(values.year)} is not a year. Give four digits, e.g. --year 2025.`,
      );
    }
    opts.year = y;
  }
  if (typeof values.timezone === "string") {
    if (!isValidTimezone(values.timezone)) {
      fail(
        `--timezone ${JSON.stringify(values.timezone)} is not a known IANA time zone. Use e.g. UTC or Europe/Paris.`,
      );
    }
    opts.timezone = values.timezone;
  }
  return opts;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n\n${ADMIN_USAGE}\n`);
    return;
  }
  if (command === "parse") {
    const { values, positionals } = parseArgs({
      args: rest,
      options: common,
      allowPositionals: true,
    });
    if (values.help) return void process.stdout.write(`${USAGE}\n`);
    await runParse({
      parser: parserOption(values.type, values.parser),
      files: positionals.length > 0 ? positionals : ["-"],
      options: parseOptionsFrom(values),
    });
    return;
  }
  if (command === "replay") return replay(rest);
  if (command === "scenarios") return scenarios(rest);
  if (isAdminCommand(command)) return runAdmin(command, rest);
  fail(`unknown command ${JSON.stringify(command)}.\n${USAGE}`);
}

async function replay(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      ...common,
      scenarios: { type: "string", multiple: true },
      data: { type: "string" },
      profiles: { type: "string" },
      allowlist: { type: "string", multiple: true },
      "no-default-allowlist": { type: "boolean" },
    },
    allowPositionals: true,
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (positionals.length === 0)
    fail("replay needs at least one log file (or - for standard input).");
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

/** `palisade scenarios lint PATH...`: every problem in every file at once. */
function scenarios(args: string[]): void {
  const [sub, ...rest] = args;
  if (sub !== "lint")
    fail(
      `unknown scenarios command ${JSON.stringify(sub ?? "")}. Use: palisade scenarios lint PATH...`,
    );
  const { values, positionals } = parseArgs({
    args: rest,
    options: { data: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length === 0) fail("scenarios lint needs at least one scenario file or folder.");
  const files = scenarioFilesFrom(positionals);
  const diags = lintScenarios(files, { data: dataStoreFor(values.data) });
  for (const d of diags) process.stdout.write(`${formatDiagnostic(d)}\n`);
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.length - errors;
  process.stderr.write(
    `palisade scenarios lint: ${files.length} file(s), ${errors} error(s), ${warnings} warning(s)\n`,
  );
  if (errors > 0) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (
    e instanceof UserError ||
    (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS"))
  ) {
    process.stderr.write(`palisade: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  throw e;
});
