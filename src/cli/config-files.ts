import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type DataStore, dataStoreFrom } from "../core/data";
import { type Diagnostic, formatDiagnostic } from "../core/diagnostic";
import { hubDataStore } from "../hub/index";
import { fail } from "./errors";

/** A configuration file as core takes it: a path for diagnostics and its text. */
export interface TextFile {
  path: string;
  text: string;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = e instanceof Error && "code" in e ? String(e.code) : "";
    fail(
      `cannot read ${what} ${path}${code ? ` (${code})` : ""}.`,
      code === "ENOENT" ? "there is no such file." : "the file exists but cannot be read.",
      "check the path and its permissions.",
    );
  }
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => {
      const p = join(dir, d.name);
      if (d.isDirectory()) return yamlFilesUnder(p);
      return /\.ya?ml$/i.test(d.name) ? [p] : [];
    });
}

/** `--scenarios PATH...`: YAML files, or folders walked recursively for *.yaml / *.yml. */
export function scenarioFilesFrom(paths: readonly string[]): TextFile[] {
  const files = paths.flatMap((p) => {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      fail(
        `--scenarios ${p}: no such file or folder.`,
        "--scenarios takes scenario YAML files, or folders holding them.",
        "check the path.",
      );
    }
    return isDir ? yamlFilesUnder(p) : [p];
  });
  if (files.length === 0)
    fail(
      `--scenarios ${paths.join(" ")}: no .yaml or .yml files found there.`,
      "scenario files are YAML files, found by their extension (folders are walked).",
      "give the files or the folder that holds them.",
    );
  return files.map((path) => ({ path, text: readText(path, "scenario file") }));
}

export { hubFile, hubFilesUnder } from "../hub/index";

/** `--data DIR`: files read on first use; without it, the built-in pack's data files. */
export function dataStoreFor(dir: string | undefined): DataStore {
  if (dir === undefined) return hubDataStore();
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    fail(
      `--data ${dir}: no such folder.`,
      "--data is the folder holding the files scenarios name under data:.",
      "check the path (CrowdSec keeps them in /var/lib/crowdsec/data).",
    );
  }
  if (!isDir)
    fail(
      `--data ${dir} is not a folder.`,
      "--data is the folder holding the files scenarios name under data:.",
      "give that folder, not one of its files.",
    );
  const cache = new Map<string, readonly string[] | undefined>();
  return {
    lines(name) {
      if (!cache.has(name)) {
        let text: string | undefined;
        try {
          text = readFileSync(join(dir, name), "utf8");
        } catch {
          text = undefined;
        }
        cache.set(
          name,
          text === undefined ? undefined : dataStoreFrom({ [name]: text }).lines(name),
        );
      }
      return cache.get(name);
    },
  };
}

export function readConfigFile(path: string, what: string): TextFile {
  return { path, text: readText(path, what) };
}

/** Prints diagnostics to stderr; fails (exit 1) if any is an error. */
export function reportDiagnostics(diags: readonly Diagnostic[], what: string): void {
  for (const d of diags) process.stderr.write(`${formatDiagnostic(d)}\n`);
  const errors = diags.filter((d) => d.severity === "error").length;
  if (errors > 0)
    fail(
      `${errors} error(s) in ${what}; nothing was run.`,
      "each is printed above with its file, document and field.",
      "fix them and run the command again (palisade scenarios lint checks scenario files alone).",
    );
}
