import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { fail } from "../errors";

/** Files the content commands upload: their name (for diagnostics) and text. */
export interface Upload {
  name: string;
  text: string;
}

function read(path: string, name: string): Upload {
  try {
    return { name, text: readFileSync(path, "utf8") };
  } catch (e) {
    const code = e instanceof Error && "code" in e ? String(e.code) : "";
    return fail(
      `cannot read ${path}${code ? ` (${code})` : ""}.`,
      code === "ENOENT" ? "there is no such file." : "the file exists but cannot be read.",
      "check the path and its permissions.",
    );
  }
}

function isDir(path: string, flag: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return fail(
      `${flag}${path}: no such file or folder.`,
      "it must name a file or a folder that exists here.",
      "check the path.",
    );
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => {
      const p = join(dir, d.name);
      if (d.name.startsWith(".")) return [];
      return d.isDirectory() ? walk(p) : [p];
    });
}

/** YAML files named, folders walked for *.yaml / *.yml; each named as given. */
export function yamlUploads(paths: readonly string[], flag = ""): Upload[] {
  const files = paths.flatMap((p) =>
    isDir(p, flag) ? walk(p).filter((f) => /\.ya?ml$/i.test(f)) : [p],
  );
  if (files.length === 0)
    fail(
      `${paths.join(" ")}: no .yaml or .yml files found there.`,
      "scenario, parser and profile files are YAML, found by their extension.",
      "give the files or the folder that holds them.",
    );
  return files.map((f) => read(f, f));
}

/** `--data FILE|DIR`: data files by their base name (what `data:` entries name). */
export function dataUploads(paths: readonly string[]): Upload[] {
  return paths.flatMap((p) =>
    isDir(p, "--data ") ? walk(p).map((f) => read(f, basename(f))) : [read(p, basename(p))],
  );
}

export interface Collection {
  scenarios: Upload[];
  data: Upload[];
  /** CrowdSec parser files found and not installed (Palisade parses with its own). */
  skipped: string[];
}

/**
 * A CrowdSec hub collection checked out in DIR: its scenarios (YAML under `scenarios/`),
 * its data files (any file that is not YAML), Palisade custom parsers under
 * `palisade-parsers/`; CrowdSec's own parsers, postoverflows and the collection index
 * files are listed as skipped.
 */
export function collectionIn(dir: string): Collection & { parsers: Upload[] } {
  if (!isDir(dir, "")) fail(`${dir} is a file.`, "a collection is a folder.", "give its folder.");
  const out = {
    scenarios: [] as Upload[],
    parsers: [] as Upload[],
    data: [] as Upload[],
    skipped: [] as string[],
  };
  for (const f of walk(dir)) {
    const parts = relative(dir, f).split(sep);
    const yaml = /\.ya?ml$/i.test(f);
    if (!yaml) out.data.push(read(f, basename(f)));
    else if (parts.includes("scenarios")) out.scenarios.push(read(f, f));
    else if (parts.includes("palisade-parsers")) out.parsers.push(read(f, f));
    else out.skipped.push(f);
  }
  if (out.scenarios.length === 0)
    fail(
      `no scenario found in ${dir}.`,
      "collections install reads the scenarios under a scenarios/ folder of the collection.",
      "give the folder of a CrowdSec hub collection checked out locally (with its scenarios/).",
    );
  return out;
}
