import { existsSync } from "node:fs";
import { scenarioDocs } from "../../content/split";
import { scenarioListSchema } from "../../contract/admin-stats";
import { scenarioShowSchema } from "../../contract/content";
import { runLint } from "../lint-command";
import {
  clientFor,
  type Noun,
  outputOf,
  parseVerb,
  positionalsOf,
  print,
  printJson,
} from "./command";
import { dataOf, dataOption, history, rollback, sendChange } from "./content";
import { yamlUploads } from "./content-files";
import { fields, table } from "./table";

const USAGE = `Usage:
  palisade scenarios add FILE|DIR... [--data FILE|DIR]... [-o human|json]
  palisade scenarios list [-o human|json]
  palisade scenarios show NAME [-o human|json]
  palisade scenarios remove NAME... [-o human|json]
  palisade scenarios enable NAME... [-o human|json]
  palisade scenarios disable NAME... [-o human|json]
  palisade scenarios simulate (NAME...|FILE|--all) [--off] [--data FILE|DIR]... [-o human|json]
  palisade scenarios history [-o human|json]
  palisade scenarios rollback VERSION [-o human|json]
  palisade scenarios lint PATH... [--data DIR]      (local, no Worker)

Scenarios (CrowdSec's format) installed in the deployed Worker without a redeploy: add
checks the files as lint does and refuses them whole on any error (nothing changes);
each change is a new content version (history), rollback makes an earlier one current
again. A scenario added under a built-in's name replaces it; built-ins can be disabled,
installed ones removed. --data uploads the files their data: entries name.
simulate puts scenarios (a FILE is installed in simulation) or, with --all, the whole
deployment in simulation: their alerts are kept, marked simulated, and make no
decisions (CrowdSec's cscli simulation); --off takes them out of it.
Bucket state of a scenario survives a new version while the scenario is unchanged.`;

function names(positionals: string[], what: string): string[] {
  if (positionals.length === 0) positionalsOf(positionals, [what]);
  return positionals;
}

async function lint(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, { data: { type: "string" } });
  runLint(positionals, values.data);
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, dataOption);
  const files = yamlUploads(names(positionals, "FILE"));
  await sendChange(
    values,
    { scenarios: files, ...dataOf(values), action: `scenarios add ${positionals.join(" ")}` },
    `Installed ${files.length} file(s).`,
  );
}

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  positionalsOf(positionals, []);
  const out = await clientFor(values).call(
    { action: "list the scenarios", method: "GET", path: "/scenarios" },
    scenarioListSchema,
  );
  if (outputOf(values.output) === "json") return printJson(out);
  print(
    table(
      ["name", "origin", "enabled", "simulated", "type", "groupby", "alerts"],
      out.scenarios.map((s) => [
        s.name,
        s.origin,
        s.enabled,
        s.simulated,
        s.type,
        s.groupby,
        s.alerts,
      ]),
    ),
  );
  process.stderr.write(
    `content version ${out.version}${out.simulation_all ? ", whole deployment in simulation" : ""}\n`,
  );
}

async function show(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {});
  const [name] = positionalsOf(positionals, ["NAME"]);
  const out = await clientFor(values).call(
    {
      action: `show scenario ${name}`,
      method: "GET",
      path: "/scenarios/show",
      query: { name },
      flags: { "query.name": "NAME" },
    },
    scenarioShowSchema,
  );
  if (outputOf(values.output) === "json") return printJson(out);
  print(
    fields([
      ["name", out.name],
      ["origin", out.origin],
      ["enabled", out.enabled],
      ["simulated", out.simulated],
      ["type", out.type],
      ["groupby", out.groupby],
      ["hash", out.hash],
      ["file", out.file],
      ["alerts", out.alerts],
    ]),
  );
  print(`\n${out.text}`);
}

function toggle(key: "remove" | "enable" | "disable", done: string) {
  return async (args: string[]) => {
    const { values, positionals } = parseVerb(args, {});
    const list = names(positionals, "NAME");
    await sendChange(values, { [key]: list, action: `scenarios ${key} ${list.join(" ")}` }, done);
  };
}

async function simulate(args: string[]): Promise<void> {
  const { values, positionals } = parseVerb(args, {
    ...dataOption,
    all: { type: "boolean" },
    off: { type: "boolean" },
  });
  const on = values.off !== true;
  const action = `scenarios simulate ${values.all === true ? "--all" : positionals.join(" ")}${on ? "" : " --off"}`;
  const done = on ? "In simulation: alerts, no decisions." : "Out of simulation: decisions again.";
  if (values.all === true) {
    positionalsOf(positionals, []);
    return sendChange(values, { simulate: { on }, action }, done);
  }
  const list = names(positionals, "NAME|FILE");
  const files = list.filter((p) => /\.ya?ml$/i.test(p) && existsSync(p));
  if (files.length === 0)
    return sendChange(values, { simulate: { on, scenarios: list }, action }, done);
  // A file is installed and put in simulation in the same version.
  const uploads = yamlUploads(files);
  const named = uploads.flatMap((u) => scenarioDocs(u.name, u.text).map((d) => d.name));
  const others = list.filter((p) => !files.includes(p));
  await sendChange(
    values,
    {
      scenarios: uploads,
      ...dataOf(values),
      simulate: { on, scenarios: [...named, ...others] },
      action,
    },
    done,
  );
}

export const scenarios: Noun = {
  usage: USAGE,
  verbs: {
    add,
    list,
    show,
    remove: toggle("remove", "Removed."),
    enable: toggle("enable", "Enabled."),
    disable: toggle("disable", "Disabled: it no longer runs."),
    simulate,
    history,
    rollback,
    lint,
  },
};
