import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./worker";

/**
 * Debian's CrowdSec 1.4.6 tools (cscli, the crowdsec agent, crowdsec-custom-bouncer) run
 * against a local Palisade, each with a private configuration under a test folder: the
 * system's /etc/crowdsec is only read (its grok patterns), never written, and no system
 * service is used. `.ci/run` installs crowdsec and unpacks the custom bouncer.
 */

const HUB = "/usr/share/crowdsec/hub";
const PATTERNS = "/etc/crowdsec/patterns";

/** Where the custom bouncer is: installed, or unpacked from its .deb by `.ci/run`. */
export const CUSTOM_BOUNCER = [
  "/usr/bin/crowdsec-custom-bouncer",
  `${root}node_modules/.cache/debs/usr/bin/crowdsec-custom-bouncer`,
].find((p) => existsSync(p));

/** Why cscli and the agent cannot run here (empty when they can). */
export function crowdsecMissing(): string[] {
  const out: string[] = [];
  for (const bin of ["/usr/bin/cscli", "/usr/bin/crowdsec"]) {
    if (!existsSync(bin)) out.push(`${bin} is absent (apt-get install crowdsec; .ci/run does)`);
  }
  if (!existsSync(`${HUB}/.index.json`)) out.push(`${HUB} (CrowdSec's offline hub) is absent`);
  if (!existsSync(PATTERNS)) out.push(`${PATTERNS} is absent`);
  return out;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: "utf8", timeout: timeoutMs }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

export interface PrivateCrowdsec {
  config: string;
  /** `cscli -c <private config> …` (human output unless `-o` is given). */
  cscli(...args: string[]): Promise<Run>;
  /** The agent in time-machine mode on `log` (`-type syslog`), pushing to Palisade. */
  detect(log: string): Promise<Run>;
}

/**
 * A private CrowdSec in `dir` whose Local API is Palisade: ssh parsers and scenarios
 * copied from Debian's offline hub, credentials of a Palisade watcher.
 */
export function privateCrowdsec(
  dir: string,
  credentials: { url: string; login: string; password: string },
): PrivateCrowdsec {
  const etc = join(dir, "etc");
  copyHubItems(etc);
  mkdirSync(join(dir, "data"), { recursive: true });
  const creds = join(etc, "local_api_credentials.yaml");
  writeFileSync(
    creds,
    `url: ${credentials.url}\nlogin: ${credentials.login}\npassword: ${credentials.password}\n`,
    { mode: 0o600 },
  );
  const config = join(etc, "config.yaml");
  writeFileSync(config, configYaml(dir, etc, creds));
  return {
    config,
    cscli: (...args) => run("cscli", ["-c", config, ...args]),
    detect: (log) =>
      run("crowdsec", ["-c", config, "-dsn", `file://${log}`, "-type", "syslog", "-no-api"]),
  };
}

function copyHubItems(etc: string): void {
  const items: Record<string, string[]> = {
    "parsers/s00-raw": ["parsers/s00-raw/crowdsecurity/syslog-logs.yaml"],
    "parsers/s01-parse": ["parsers/s01-parse/crowdsecurity/sshd-logs.yaml"],
    "parsers/s02-enrich": ["parsers/s02-enrich/crowdsecurity/dateparse-enrich.yaml"],
    scenarios: ["scenarios/crowdsecurity/ssh-bf.yaml", "scenarios/crowdsecurity/ssh-slow-bf.yaml"],
  };
  for (const [to, files] of Object.entries(items)) {
    mkdirSync(join(etc, to), { recursive: true });
    for (const f of files) cpSync(join(HUB, f), join(etc, to, f.split("/").pop() as string));
  }
  cpSync(PATTERNS, join(etc, "patterns"), { recursive: true });
  writeFileSync(join(etc, "simulation.yaml"), "simulation: off\n");
  writeFileSync(join(etc, "acquis.yaml"), "");
}

function configYaml(dir: string, etc: string, creds: string): string {
  return `common:
  daemonize: false
  log_media: stdout
  log_level: info
  working_dir: .
config_paths:
  config_dir: ${etc}/
  data_dir: ${dir}/data/
  simulation_path: ${etc}/simulation.yaml
  hub_dir: ${HUB}/
  index_path: ${HUB}/.index.json
  notification_dir: ${etc}/notifications/
  plugin_dir: /usr/lib/crowdsec/plugins/
crowdsec_service:
  acquisition_path: ${etc}/acquis.yaml
  parser_routines: 1
cscli:
  output: human
  color: "no"
api:
  client:
    insecure_skip_verify: false
    credentials_path: ${creds}
prometheus:
  enabled: false
`;
}

/** `Dec  4 17:21:47` (syslog's stamp, UTC). */
export function syslogStamp(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const p = (n: number) => String(n).padStart(2, "0");
  const day = String(d.getUTCDate()).padStart(2, " ");
  return `${month} ${day} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** `n` failed root logins from `ip`, 300 ms apart from `start`, as sshd logs them. */
export function sshBurst(ip: string, start: number, n: number): string {
  const lines = Array.from(
    { length: n },
    (_, i) =>
      `${syslogStamp(start + i * 300)} web1 sshd[${2000 + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2`,
  );
  return `${lines.join("\n")}\n`;
}

/**
 * crowdsec-custom-bouncer in the foreground with its own config: it calls `script` with
 * `add|del IP DURATION_S SCENARIO JSON` for each decision it receives.
 */
export function startCustomBouncer(
  bin: string,
  dir: string,
  o: { apiUrl: string; apiKey: string; script: string },
): ChildProcess {
  const config = join(dir, "custom-bouncer.yaml");
  writeFileSync(
    config,
    [
      `bin_path: ${o.script}`,
      "feed_via_stdin: false",
      "total_retries: 0",
      "scenarios_containing: []",
      "scenarios_not_containing: []",
      "origins: []",
      `piddir: ${dir}/`,
      "update_frequency: 500ms",
      "cache_retention_duration: 10s",
      "daemonize: false",
      "log_mode: stdout",
      "log_level: info",
      `api_url: ${o.apiUrl}`,
      `api_key: ${o.apiKey}`,
      "prometheus:",
      "  enabled: false",
      "  listen_addr: 127.0.0.1",
      "  listen_port: 60602",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  return spawn(bin, ["-c", config], { cwd: dir, detached: true, stdio: "pipe" });
}
