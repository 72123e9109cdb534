/**
 * One shipper per state directory: two would ship the same lines twice.
 *
 * On Linux the lock is a listening Unix socket in the abstract namespace, named after the
 * state directory's device and inode. The kernel closes it when its process exits, before
 * the process is even reaped, so a dead shipper never holds it: not a zombie (killed, not
 * yet waited for by its parent), not a pid later reused by another program, not a lock
 * file left by a crash. `state_dir/lock` still holds the pid, for the message and for
 * operators. (Abstract sockets belong to a network namespace: two shippers in different
 * network namespaces sharing one state_dir do not see each other's lock; give each its own.)
 * Elsewhere, the pid file is the lock, with a liveness check.
 */
import { readFileSync } from "node:fs";
import { open, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";

export interface Lock {
  release: () => Promise<void>;
}

/** Whether a process with this pid runs (a zombie, killed and not yet reaped, does not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return !exited(pid);
}

/** A zombie or dead process by /proc (Linux); false where /proc cannot tell. */
function exited(pid: number): boolean {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = s.slice(s.lastIndexOf(")") + 2, s.lastIndexOf(")") + 3);
    return state === "Z" || state === "X";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" && process.platform === "linux";
  }
}

async function pidIn(path: string): Promise<number | undefined> {
  const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function held(stateDir: string, pid: number | undefined): string {
  const who = pid === undefined ? "another palisade-ship" : `another palisade-ship (pid ${pid})`;
  return `${who} uses ${stateDir}; stop it or give this one its own state_dir`;
}

function listen(name: string): Promise<Server | "in use"> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once("error", (e: NodeJS.ErrnoException) =>
      e.code === "EADDRINUSE" ? resolve("in use") : reject(e),
    );
    server.listen({ path: name, exclusive: true }, () => {
      server.unref();
      resolve(server);
    });
  });
}

/** How long a holder that has exited may take to let go (its last threads are still ending). */
const EXIT_GRACE_MS = 3_000;

async function socketLock(stateDir: string, pidFile: string): Promise<Lock | string> {
  const st = await stat(stateDir, { bigint: true });
  const name = `\0palisade-ship:${st.dev}:${st.ino}`;
  const until = Date.now() + EXIT_GRACE_MS;
  for (;;) {
    let server: Server | "in use";
    try {
      server = await listen(name);
    } catch (e) {
      return `cannot lock ${stateDir}: ${(e as Error).message}`;
    }
    if (server !== "in use") {
      const s = server;
      await writeFile(pidFile, `${process.pid}\n`);
      return {
        release: async () => {
          await unlink(pidFile).catch(() => {});
          await new Promise<void>((r) => s.close(() => r()));
        },
      };
    }
    // A killed holder (a zombie included) lets go within moments: wait for it, not for a live one.
    const pid = await pidIn(pidFile);
    if (pid === undefined || alive(pid) || Date.now() > until) return held(stateDir, pid);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function pidFileLock(stateDir: string, path: string): Promise<Lock | string> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, "wx");
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return { release: () => unlink(path).catch(() => {}) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST")
        return `cannot create ${path}: ${(e as Error).message}`;
    }
    const pid = await pidIn(path);
    if (pid !== undefined && pid !== process.pid && alive(pid)) return held(stateDir, pid);
    await writeFile(path, "").catch(() => {});
    await unlink(path).catch(() => {});
  }
  return `cannot take ${path}`;
}

/** Takes the state directory's lock; an error message when a live shipper holds it. */
export function takeLock(stateDir: string): Promise<Lock | string> {
  const pidFile = join(stateDir, "lock");
  return process.platform === "linux"
    ? socketLock(stateDir, pidFile)
    : pidFileLock(stateDir, pidFile);
}
