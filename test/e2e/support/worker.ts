import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The real Worker (wrangler.toml: ingest, Durable Objects, KV, Queue) under `wrangler dev`
 * with fresh state in a temporary folder, as `npm start` runs it; optionally inside a
 * network namespace (`ip netns exec NS …`). Secrets come from a generated env file, so a
 * developer's .dev.vars never leaks into a test.
 */

export const root = fileURLToPath(new URL("../../..", import.meta.url));

export interface LocalWorker {
  /** `http://127.0.0.1:PORT` (inside the namespace when one is given). */
  base: string;
  port: number;
  adminToken: string;
  machineToken: string;
  dir: string;
  /** wrangler's output so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  netns?: string;
  port?: number;
  /** Extra `[vars]` (`KV_FLUSH_MS`, …). */
  vars?: Readonly<Record<string, string>>;
  /** Another Worker of the repo (`wrangler.commons.toml`); its own secrets and vars then. */
  config?: string;
  secrets?: Readonly<Record<string, string>>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startLocalWorker(opts: WorkerOptions = {}): Promise<LocalWorker> {
  const dir = mkdtempSync(join(tmpdir(), "palisade-worker-"));
  const port = opts.port ?? (await freePort());
  const adminToken = "test-admin-token-0123456789";
  const machineToken = "test-machine-token-0123456789";
  const envFile = join(dir, "secrets.env");
  const secrets = opts.secrets ?? {
    PALISADE_ADMIN_TOKEN: adminToken,
    PALISADE_MACHINE_TOKEN: machineToken,
  };
  writeFileSync(
    envFile,
    `PALISADE_ENV=local\n${Object.entries(secrets)
      .map(([k, v]) => `${k}=${v}\n`)
      .join("")}`,
  );
  // EDGE_DETECTION off: these tests ship nginx lines as a shipper-only site does (with it
  // on, ingest would leave them to the edge: src/ingest/edge-coverage.ts).
  const defaults = opts.config
    ? {}
    : { KV_FLUSH_MS: "100", ORIGIN_URL: "http://127.0.0.1:9", EDGE_DETECTION: "off" };
  const vars = { ...defaults, ...opts.vars };
  const args = [
    `${root}node_modules/wrangler/bin/wrangler.js`,
    "dev",
    ...(opts.config ? ["-c", opts.config] : []),
    ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0"],
    ...["--persist-to", join(dir, "state"), "--env-file", envFile],
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const [cmd, cmdArgs] = opts.netns
    ? ["ip", ["netns", "exec", opts.netns, process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(cmd, cmdArgs, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "1" },
  });
  let output = "";
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-64_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const worker: LocalWorker = {
    base: `http://127.0.0.1:${port}`,
    port,
    adminToken,
    machineToken,
    dir,
    log: () => output,
    stop: () => stopChild(child, dir),
  };
  try {
    await waitReady(child, () => output);
  } catch (e) {
    await worker.stop();
    throw e;
  }
  return worker;
}

async function waitReady(child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!/Ready on http/.test(output())) {
    if (child.exitCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${output()}`);
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGINT to the whole group (wrangler → node → workerd), SIGKILL if it lingers. */
async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  const pid = child.pid;
  if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    signalGroup(pid, "SIGINT");
    const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    // workerd may outlive its parent for a moment; the group still names it.
    signalGroup(pid, "SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Polls `check` until it returns a value (not undefined) or `ms` pass. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 15_000,
  every = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
