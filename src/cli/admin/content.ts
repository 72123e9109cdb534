import { existsSync } from "node:fs";
import {
  type ContentChange,
  contentChangedSchema,
  contentHistorySchema,
  parserListSchema,
  profilesShowSchema,
} from "../../contract/content";
import { formatDiagnostic } from "../../core/diagnostic";
import {
  clientFor,
  type Noun,
  outputOf,
  parseVerb,
  positionalsOf,
  print,
  printJson,
} from "./command";
import { collectionIn, dataUploads, yamlUploads } from "./content-files";
import { table, when } from "./table";

/**
 * Runtime detection content over the admin API (`POST /admin/content`): every command
 * sends one change, which the Worker checks whole (the diagnostics of `scenarios lint`)
 * and stores as the next content version, or refuses with every problem and changes
 * nothing. Shared by `palisade scenarios`, `parsers`, `profiles` and `collections`.
 */

type Conn = { url?: string | undefined; token?: string | undefined; config?: string | undefined };

/** Sends a change; prints the new version (or the JSON answer), warnings on stderr. */
export async function sendChange(
  values: Conn & { output?: string | undefined },
  change: ContentChange,
  done: string,
): Promise<void> {
  const output = outputOf(values.output);
  const out = await clientFor(values).call(
    {
      action: change.action ?? "change the detection content",
      method: "POST",
      path: "/content",
      body: change,
      fixes: {
        invalid_content:
          "correct the files (palisade scenarios lint FILE shows the same problems) and run it again; nothing was changed.",
        "404": "list them with palisade scenarios list.",
      },
    },
    contentChangedSchema,
  );
  for (const w of out.warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  if (output === "json") return printJson(out);
  print(
    out.unchanged
      ? `Nothing to change: content version ${out.version} already is that way.`
      : `${done} Content version ${out.version}: the edge's detection uses it from its next batch.`,
  );
}

const dataOption = { data: { type: "string", multiple: true } } as const;

/** `--data FILE|DIR` uploads, when given. */
export function dataOf(values: { data?: string[] | undefined }) {
  const data = dataUploads(values.data ?? []);
  return data.length > 0 ? { data } : {};
}

export { dataOption };

export async function history(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  positionalsOf(positionals, []);
  const out = await clientFor(values).call(
    { action: "list the content versions", method: "GET", path: "/content/versions" },
    contentHistorySchema,
  );
  if (outputOf(values.output) === "json") return printJson(out);
  if (out.versions.length === 0)
    return print("Version 0: the built-in pack alone, nothing installed.");
  print(
    table(
      ["version", "at", "change"],
      out.versions.map((v) => [
        v.version === out.current ? `${v.version} *` : v.version,
        when(v.at),
        v.action,
      ]),
    ),
  );
}

export async function rollback(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  const [v] = positionalsOf(positionals, ["VERSION"]);
  if (!/^\d{1,9}$/.test(v as string))
    return print(`${v} is not a version number: palisade scenarios history lists them.`);
  const out = await clientFor(values).call(
    {
      action: `roll back to content version ${v}`,
      method: "POST",
      path: "/content/rollback",
      body: { version: Number(v) },
      flags: { "body.version": "VERSION" },
      fixes: { "404": "palisade scenarios history lists the versions." },
    },
    contentChangedSchema,
  );
  if (outputOf(values.output) === "json") return printJson(out);
  print(`Rolled back: content version ${out.version} holds what version ${v} held.`);
}

const PARSERS_USAGE = `Usage:
  palisade parsers add FILE|DIR... [-o human|json]
  palisade parsers list [-o human|json]
  palisade parsers remove TYPE... [-o human|json]

Custom parsers (the YAML format of palisade parse --parser FILE: type, pattern,
timestamp, statics) installed in the Worker: ingest then accepts batches of their type
(source.type), and the shipper's --check passes for it.`;

export const parsers: Noun = {
  usage: PARSERS_USAGE,
  verbs: {
    add: async (args) => {
      const { values, positionals } = parseVerb(args, {});
      if (positionals.length === 0) positionalsOf(positionals, ["FILE"]);
      const files = yamlUploads(positionals);
      await sendChange(
        values,
        { parsers: files, action: `parsers add ${positionals.join(" ")}` },
        "Installed.",
      );
    },
    list: async (args) => {
      const { values, positionals } = parseVerb(args, {});
      positionalsOf(positionals, []);
      const out = await clientFor(values).call(
        { action: "list the parsers", method: "GET", path: "/parsers" },
        parserListSchema,
      );
      if (outputOf(values.output) === "json") return printJson(out);
      print(
        table(
          ["type", "origin", "file"],
          out.parsers.map((p) => [p.type, p.origin, p.file]),
        ),
      );
    },
    remove: async (args) => {
      const { values, positionals } = parseVerb(args, {});
      if (positionals.length === 0) positionalsOf(positionals, ["TYPE"]);
      await sendChange(
        values,
        { parsers_remove: positionals, action: `parsers remove ${positionals.join(" ")}` },
        "Removed: ingest refuses these types again.",
      );
    },
  },
};

const PROFILES_USAGE = `Usage:
  palisade profiles set FILE [--data FILE|DIR]... [-o human|json]
  palisade profiles show [-o human|json]
  palisade profiles reset [-o human|json]

The profiles (CrowdSec's profiles.yaml) that turn alerts into decisions: set replaces the
built-in ones with FILE (checked first; a bad file changes nothing), reset goes back to
the built-in ones.`;

export const profiles: Noun = {
  usage: PROFILES_USAGE,
  verbs: {
    set: async (args) => {
      const { values, positionals } = parseVerb(args, dataOption);
      const [file] = positionalsOf(positionals, ["FILE"]);
      const [upload] = yamlUploads([file as string]);
      await sendChange(
        values,
        { profiles: upload, ...dataOf(values), action: `profiles set ${file}` },
        "Profiles installed.",
      );
    },
    show: async (args) => {
      const { values, positionals } = parseVerb(args, {});
      positionalsOf(positionals, []);
      const out = await clientFor(values).call(
        { action: "show the profiles", method: "GET", path: "/profiles" },
        profilesShowSchema,
      );
      if (outputOf(values.output) === "json") return printJson(out);
      process.stderr.write(`# content version ${out.version}, ${out.origin} profiles\n`);
      print(out.text);
    },
    reset: async (args) => {
      const { values, positionals } = parseVerb(args, {});
      positionalsOf(positionals, []);
      await sendChange(
        values,
        { profiles_reset: true, action: "profiles reset" },
        "Built-in profiles back.",
      );
    },
  },
};

const COLLECTIONS_USAGE = `Usage:
  palisade collections install DIR [-o human|json]

Installs a CrowdSec hub collection checked out locally in DIR, in one content version:
its scenarios (YAML under scenarios/), the data files beside them (any file that is not
YAML: give the files the scenarios' data: entries download), and Palisade custom parsers
under palisade-parsers/. CrowdSec's own parsers are skipped (listed): Palisade reads logs
with its built-in parsers, or custom ones (palisade parsers add).`;

export const collections: Noun = {
  usage: COLLECTIONS_USAGE,
  verbs: {
    install: async (args) => {
      const { values, positionals } = parseVerb(args, {});
      const [dir] = positionalsOf(positionals, ["DIR"]);
      if (!existsSync(dir as string)) positionalsOf([], ["DIR"]);
      const c = collectionIn(dir as string);
      for (const s of c.skipped)
        process.stderr.write(`skipped (not a scenario or data file): ${s}\n`);
      const change: ContentChange = {
        scenarios: c.scenarios,
        action: `collections install ${dir}`,
      };
      if (c.parsers.length > 0) change.parsers = c.parsers;
      if (c.data.length > 0) change.data = c.data;
      await sendChange(
        values,
        change,
        `Installed ${c.scenarios.length} scenario file(s) from ${dir}.`,
      );
    },
  },
};
