/**
 * Command line: `palisade-ship --config FILE` (follow), `--check`, `--once FILE --type T`,
 * `--dry-run`, `--stats`; every setting also as `--flag` and `PALISADE_SHIP_*`.
 * Exit codes: 0 done, 1 failed (Worker unreachable in --check, refused batches in --once,
 * state directory locked), 2 usage or configuration error.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { systemClock } from "../clock";
import { formatDiagnostic } from "../config/diagnostic";
import { flagName, SETTINGS } from "../config/settings";
import {
  type ConfigInput,
  loadConfig,
  type Needs,
  type ShipperConfig,
} from "../config/shipper-config";
import { httpTransport, type Transport } from "../delivery/transport";
import { type Logger, stderrLogger } from "../log";
import { Metrics } from "../metrics";
import { Shipper } from "../shipper";
import { readStats } from "../stats";
import { runCheck } from "./check";
import { runOnce } from "./once";
import { progressBar } from "./progress";

export const VERSION = process.env.PALISADE_SHIP_VERSION ?? "dev";

const USAGE = `usage: palisade-ship --config FILE            follow the configured sources
       palisade-ship --config FILE --check    validate the config and reach the Worker
       palisade-ship --once FILE|- --type T   ship one file (a backfill), then exit
       palisade-ship --config FILE --stats    print the running shipper's counters
options: --dry-run (print batches, send nothing, commit nothing), --label K=V (with --once),
         --help, --version; any setting as a flag: ${SETTINGS.map((s) => `--${flagName(s)}`).join(" ")}
         (environment: PALISADE_SHIP_<SETTING>, e.g. PALISADE_SHIP_TOKEN; config: PALISADE_SHIP_CONFIG)
See shipper/README.md.
`;

type Values = Record<string, string | boolean | string[] | undefined>;

function parse(argv: string[]): { values: Values } | string {
  const options: NonNullable<Parameters<typeof parseArgs>[0]>["options"] = {
    config: { type: "string", short: "c" },
    check: { type: "boolean" },
    once: { type: "string" },
    type: { type: "string" },
    label: { type: "string", multiple: true },
    "dry-run": { type: "boolean" },
    stats: { type: "boolean" },
    "no-gzip": { type: "boolean" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "V" },
  };
  for (const s of SETTINGS) options[flagName(s)] = { type: "string" };
  try {
    return {
      values: parseArgs({ args: argv, options, strict: true, allowPositionals: false })
        .values as Values,
    };
  } catch (e) {
    return `${(e as Error).message}\n${USAGE}`;
  }
}

function settingFlags(v: Values): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const s of SETTINGS) {
    const x = v[flagName(s)];
    if (typeof x === "string") flags[s.key] = x;
  }
  if (v["no-gzip"] === true) flags.gzip = "false";
  return flags;
}

export interface Io {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

function configOf(
  v: Values,
  io: Io,
  needs: Needs,
): { config: ShipperConfig; baseDir: string } | string {
  const path = (v.config as string | undefined) ?? io.env.PALISADE_SHIP_CONFIG;
  const input: ConfigInput = {
    env: io.env,
    flags: settingFlags(v),
    needs,
    readFile: (p) => readFileSync(p, "utf8"),
  };
  if (path !== undefined) {
    try {
      input.file = { name: path, text: readFileSync(path, "utf8") };
    } catch (e) {
      return `cannot read the config ${path}: ${(e as Error).message}`;
    }
  }
  const r = loadConfig(input);
  if (!r.ok)
    return `${r.errors.map(formatDiagnostic).join("\n")}\n${r.errors.length} error(s) in the configuration`;
  return { config: r.value, baseDir: path === undefined ? process.cwd() : dirname(resolve(path)) };
}

function labelsOf(list: string[] | undefined): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const l of list ?? []) {
    const i = l.indexOf("=");
    if (i <= 0) return `--label takes NAME=VALUE, not ${JSON.stringify(l)}`;
    out[l.slice(0, i)] = l.slice(i + 1);
  }
  return out;
}

/** Runs the command; resolves to the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const p = parse(argv);
  if (typeof p === "string") return fail(io, p, 2);
  const v = p.values;
  if (v.help === true || v.version === true) {
    io.stdout.write(v.help === true ? USAGE : `palisade-ship ${VERSION}\n`);
    return 0;
  }
  const dry = v["dry-run"] === true;
  if (v.stats === true) return stats(v, io);
  if (typeof v.once === "string") return once(v, io, dry);
  const needs: Needs = { url: !dry || v.check === true, stateDir: !dry, sources: true };
  const c = configOf(v, io, needs);
  if (typeof c === "string") return fail(io, c, 2);
  const log = stderrLogger(c.config.logLevel);
  if (v.check === true) return check(c.config, c.baseDir, io);
  return follow(c.config, c.baseDir, log, io, dry);
}

function fail(io: Io, message: string, code: number): number {
  io.stderr.write(`palisade-ship: ${message.trimEnd()}\n`);
  return code;
}

/** The HTTP client, or (--dry-run, where nothing is sent) one that must never be used. */
function transportOf(c: ShipperConfig, dry = false): Transport {
  if (dry)
    return { post: () => Promise.reject(new Error("dry run sends nothing")), close: () => {} };
  return httpTransport({
    url: c.url,
    token: c.token,
    timeoutMs: c.requestTimeoutMs,
    userAgent: `palisade-ship/${VERSION} node/${process.versions.node}`,
  });
}

async function stats(v: Values, io: Io): Promise<number> {
  const c = configOf(v, io, { url: false, stateDir: true, sources: false });
  if (typeof c === "string") return fail(io, c, 2);
  const text = await readStats(c.config.stateDir, Date.now());
  if (text === undefined)
    return fail(
      io,
      `no stats in ${c.config.stateDir} yet (is the shipper running with this state_dir?)`,
      1,
    );
  io.stdout.write(text);
  return 0;
}

async function check(c: ShipperConfig, baseDir: string, io: Io): Promise<number> {
  const t = transportOf(c);
  const lines = await runCheck(c, t, baseDir, hostname(), Date.now);
  t.close();
  io.stdout.write(`config: ok (${c.sources.length} source(s))\n`);
  for (const l of lines) io.stdout.write(`${l.ok ? "ok  " : "FAIL"} ${l.text}\n`);
  return lines.every((l) => l.ok) ? 0 : 1;
}

function onSignals(first: () => void, log: Logger): void {
  let count = 0;
  const handler = (sig: string) => {
    count++;
    if (count > 1) {
      log.warn("second signal: exiting now (unsent batches stay in the spool)", { signal: sig });
      process.exit(130);
    }
    log.info("stopping", { signal: sig });
    first();
  };
  process.on("SIGTERM", () => handler("SIGTERM"));
  process.on("SIGINT", () => handler("SIGINT"));
}

async function follow(
  c: ShipperConfig,
  baseDir: string,
  log: Logger,
  io: Io,
  dry: boolean,
): Promise<number> {
  if (c.url.startsWith("http://") && !/^http:\/\/(localhost|127\.|\[::1\])/.test(c.url))
    log.warn("url is http://: the token and logs travel unencrypted; use https://", { url: c.url });
  const s = await Shipper.start(c, {
    clock: systemClock,
    random: Math.random,
    log,
    transport: transportOf(c, dry),
    version: VERSION,
    baseDir,
    ...(dry ? { dryRunOut: io.stdout } : {}),
    // The state directory cannot be created or read (permissions, read-only file system).
  }).catch((e: Error) => `cannot start: ${e.message}`);
  if (typeof s === "string") return fail(io, s, 1);
  log.info("started", { version: VERSION, sources: c.sources.length, url: c.url, dry_run: dry });
  process.on("SIGUSR1", () => log.info("stats", s.metrics.snapshot()));
  await new Promise<void>((done) => {
    onSignals(done, log);
    void s.inputEnded.then(done);
  });
  await s.stop();
  return 0;
}

async function once(v: Values, io: Io, dry: boolean): Promise<number> {
  if (typeof v.type !== "string")
    return fail(io, "--once needs --type (the parser label, e.g. nginx)", 2);
  const labels = labelsOf(v.label as string[] | undefined);
  if (typeof labels === "string") return fail(io, labels, 2);
  const c = configOf(v, io, { url: !dry, stateDir: false, sources: false });
  if (typeof c === "string") return fail(io, c, 2);
  const log = stderrLogger(c.config.logLevel);
  const metrics = new Metrics();
  const abort = new AbortController();
  onSignals(() => abort.abort(), log);
  const t = transportOf(c.config, dry);
  const started = Date.now();
  const r = await runOnce({
    file: v.once as string,
    type: v.type,
    labels,
    hostname: hostname(),
    batch: c.config.batch,
    maxLineBytes: c.config.maxLineBytes,
    gzipLevel: c.config.gzip ? c.config.gzipLevel : undefined,
    delivery: {
      transport: t,
      clock: systemClock,
      random: Math.random,
      retry: c.config.retry,
      log,
      metrics,
    },
    progress: (total) => progressBar(total, io.stderr, Date.now),
    signal: abort.signal,
    ...(dry ? { dryRunOut: io.stdout } : {}),
  }).catch((e: Error) => e);
  t.close();
  if (r instanceof Error) return fail(io, `cannot ship ${v.once}: ${r.message}`, 1);
  const secs = (Date.now() - started) / 1000;
  const rate = Math.round(r.lines / Math.max(secs, 0.001));
  io.stderr.write(
    `palisade-ship: ${r.interrupted ? "interrupted after" : "shipped"} ${r.lines} lines in ${r.batches} batches in ${secs.toFixed(1)} s (${rate} lines/s); Worker accepted ${r.accepted}${r.alreadyCounted > 0 ? ` (and had already counted ${r.alreadyCounted})` : ""}, refused ${r.rejectedLines} lines in ${r.rejectedBatches} batches${r.interrupted ? "; run it again to finish (batches already accepted are not counted twice)" : ""}\n`,
  );
  return r.interrupted || r.rejectedBatches > 0 ? 1 : 0;
}
