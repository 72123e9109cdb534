import { type ChildProcess, spawn } from "node:child_process";

/**
 * A throwaway network namespace: its own loopback and its own nftables ruleset, so the
 * firewall bouncer's tables never touch the host's. Needs root.
 */

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: readonly string[], input?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin.end(input);
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

async function must(cmd: string, args: readonly string[]): Promise<string> {
  const r = await run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export class NetNs {
  private constructor(readonly name: string) {}

  static async create(name: string): Promise<NetNs> {
    await run("ip", ["netns", "del", name]);
    await must("ip", ["netns", "add", name]);
    const ns = new NetNs(name);
    await ns.must(["ip", "link", "set", "lo", "up"]);
    return ns;
  }

  exec(args: readonly string[], input?: string): Promise<Ran> {
    return run("ip", ["netns", "exec", this.name, ...args], input);
  }

  must(args: readonly string[]): Promise<string> {
    return must("ip", ["netns", "exec", this.name, ...args]);
  }

  /** A long-running process inside the namespace, in its own process group. */
  spawn(args: readonly string[]): { child: ChildProcess; output: () => string } {
    const child = spawn("ip", ["netns", "exec", this.name, ...args], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-256_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    return { child, output: () => out };
  }

  async destroy(): Promise<void> {
    await run("ip", ["netns", "del", this.name]);
  }
}

/** Ends a process group started by NetNs.spawn, waiting for its exit. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The addresses in an nftables set, from `nft list set FAMILY TABLE SET`: the
 * `elements = { a timeout 3h59m expires …, b … }` block, which nft may wrap.
 */
export function setElements(listing: string): string[] {
  const m = /elements = \{([^}]*)\}/.exec(listing);
  if (!m?.[1]) return [];
  return m[1]
    .split(",")
    .map((e) => e.trim().split(/\s+/)[0] ?? "")
    .filter((e) => e !== "");
}
