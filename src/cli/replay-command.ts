import { toReplayLine } from "../contract/replay";
import type { Allowlist } from "../core/allowlist";
import { loadAllowlist } from "../core/allowlist";
import type { LogParser, ParseOptions } from "../core/parser/index";
import { loadProfiles } from "../core/profile/index";
import { Replay } from "../core/replay";
import { loadScenarios } from "../core/scenario/index";
import {
  dataStoreFor,
  hubFile,
  hubFilesUnder,
  readConfigFile,
  reportDiagnostics,
  scenarioFilesFrom,
} from "./config-files";
import { fail } from "./errors";
import { describeSource, readLineBatches } from "./lines";
import { LineWriter } from "./output";
import { progressBar } from "./progress";

export interface ReplayCommand {
  parser: LogParser;
  parseOptions: ParseOptions;
  files: string[];
  scenarios: string[];
  data: string | undefined;
  profiles: string | undefined;
  allowlists: string[];
  defaultAllowlist: boolean;
}

/** Loads scenarios, profiles and the allowlist, failing with every diagnostic at once. */
function buildSetup(cmd: ReplayCommand) {
  const data = dataStoreFor(cmd.data);
  const scenarioFiles =
    cmd.scenarios.length > 0 ? scenarioFilesFrom(cmd.scenarios) : hubFilesUnder("scenarios/");
  const scenarios = loadScenarios(scenarioFiles, { data });
  reportDiagnostics(scenarios.ok ? scenarios.warnings : scenarios.errors, "the scenarios");
  const profileFile = cmd.profiles
    ? readConfigFile(cmd.profiles, "profiles file")
    : hubFile("profiles.yaml");
  const profiles = loadProfiles([profileFile], { data });
  reportDiagnostics(profiles.ok ? profiles.warnings : profiles.errors, "the profiles");
  const allow = loadAllowlist(
    cmd.allowlists.map((p) => readConfigFile(p, "allowlist file")),
    cmd.defaultAllowlist ? { builtin: hubFile("allowlist.yaml"), data } : { data },
  );
  reportDiagnostics(allow.ok ? allow.warnings : allow.errors, "the allowlist");
  if (!scenarios.ok || !profiles.ok || !allow.ok) fail("configuration errors");
  if (scenarios.value.length === 0)
    fail("no scenarios loaded: the files hold no scenario documents.");
  return {
    scenarios: scenarios.value,
    profiles: profiles.value,
    allowlist: allow.value as Allowlist,
  };
}

/** `palisade replay`: alerts as JSON lines ordered by stop_at; a summary on stderr. */
export async function runReplay(cmd: ReplayCommand): Promise<void> {
  const setup = buildSetup(cmd);
  const replay = new Replay({ parser: cmd.parser, parseOptions: cmd.parseOptions, ...setup });
  const started = performance.now();
  const sources = await Promise.all(cmd.files.map(describeSource));
  const progress = progressBar(sources.reduce((n, s) => n + s.size, 0));
  for (const src of sources) {
    const origin = {
      src: src.name,
      module: src.name === "-" ? "stdin" : "file",
      labels: { type: cmd.parser.type },
    };
    for await (const batch of readLineBatches(src.name, (b) => progress.add(b))) {
      for (const line of batch) replay.line(line, origin);
    }
  }
  progress.done();
  const out = new LineWriter();
  for (const o of replay.results()) await out.line(JSON.stringify(toReplayLine(o.alert, o.result)));
  await out.flush();
  for (const w of dedupe(replay.warnings.map((d) => `${d.path}: ${d.message}`))) {
    process.stderr.write(`warning: ${w}\n`);
  }
  const secs = (performance.now() - started) / 1000;
  const s = replay.stats;
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stderr.write(
    `palisade replay: lines read=${s.read} parsed=${s.parsed} unparsed=${s.unparsed} alerts=${s.alerts} ` +
      `allowlisted=${s.allowlisted} decisions=${s.decisions} scenarios=${setup.scenarios.length} ` +
      `seconds=${secs.toFixed(2)} lines_per_s=${Math.round(s.read / Math.max(secs, 1e-9))} ` +
      `peak_rss_mb=${rss} live_buckets=${replay.liveBuckets} expr_errors=${s.exprErrors}\n`,
  );
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
