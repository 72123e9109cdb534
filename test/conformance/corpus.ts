// Reads the CrowdSec hub test cases in ../shared/corpus (never copied into the project).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export const corpusDir = resolve(import.meta.dirname, "../../../shared/corpus");
export const hubTestsDir = join(corpusDir, "crowdsec-hub");
export const hubRulesDir = join(corpusDir, "crowdsec-hub-rules");
export const hubDataDir = join(corpusDir, "crowdsec-data");
export const corpusPresent = existsSync(hubTestsDir);

export interface HubCase {
  name: string;
  dir: string;
  logType: string;
  parsers: string[];
  scenarios: string[];
  postoverflows: string[];
  ignoreParsers: boolean;
  /** Non-blank lines of the log, as hubtest feeds them (blank lines are skipped). */
  lines: string[];
  logFile: string;
  parserAssert: string[];
  scenarioAssert: string[];
}

function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x !== "") : [];
}

export function loadHubCases(): HubCase[] {
  if (!corpusPresent) return [];
  return readdirSync(hubTestsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = join(hubTestsDir, d.name);
      const config = parseYaml(readFileSync(join(dir, "config.yaml"), "utf8")) as Record<
        string,
        unknown
      >;
      const logFile = String(config.log_file);
      const raw = readFileSync(join(dir, logFile), "utf8").split("\n");
      return {
        name: d.name,
        dir,
        logType: String(config.log_type),
        parsers: list(config.parsers),
        scenarios: list(config.scenarios),
        postoverflows: list(config.postoverflows),
        ignoreParsers: config.ignore_parsers === true,
        lines: raw
          .map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l))
          .filter((l) => l.trim() !== ""),
        logFile,
        parserAssert: readLines(join(dir, "parser.assert")),
        scenarioAssert: readLines(join(dir, "scenario.assert")),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Unquotes a Go `%q` string literal (the asserts use \x and \a escapes JSON lacks). */
export function goUnquote(lit: string): string {
  let out = "";
  for (let i = 1; i < lit.length - 1; i++) {
    const c = lit[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = lit[++i];
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      a: "\x07",
      b: "\b",
      f: "\f",
      v: "\v",
      "\\": "\\",
      '"': '"',
      "'": "'",
    };
    if (e !== undefined && e in simple) out += simple[e];
    else if (e === "x") {
      bytes.push(Number.parseInt(lit.slice(i + 1, i + 3), 16));
      i += 2;
      // consecutive \x escapes form UTF-8 sequences; flush when the next char is not \x
      if (!(lit[i + 1] === "\\" && lit[i + 2] === "x")) out += flushBytes();
    } else if (e === "u") {
      out += String.fromCodePoint(Number.parseInt(lit.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (e === "U") {
      out += String.fromCodePoint(Number.parseInt(lit.slice(i + 1, i + 9), 16));
      i += 8;
    } else out += e ?? "";
  }
  return out;
}

const bytes: number[] = [];
function flushBytes(): string {
  const s = Buffer.from(bytes).toString("latin1");
  bytes.length = 0;
  return s;
}
