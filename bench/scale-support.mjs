// What bench/scale.mjs drives: `wrangler dev` instances with their own state, port and
// inspector; the inspector's heap readings (V8 heap in use plus ArrayBuffer backing
// stores: what counts toward an isolate's 128 MB); a local origin; free ports.
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as netServer } from "node:net";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const ADMIN = "bench-admin-token";
export const MACHINE = "bench-machine-token";
export const MB = 1024 * 1024;

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** An origin that answers every request 200 "origin". */
export async function startOrigin() {
  const server = createServer((_, res) => res.end("origin"));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/**
 * `wrangler dev` on its own ports with state in `persist`; resolves once it answers a
 * Palisade path that touches neither the blocklist nor a Durable Object.
 */
export async function startWorker({ persist, secrets, vars, log }) {
  const port = await freePort();
  const inspector = await freePort();
  const args = [
    `${root}node_modules/wrangler/bin/wrangler.js`,
    "dev",
    ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector)],
    ...["--persist-to", persist, "--env-file", secrets, "--show-interactive-dev-session=false"],
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ...["--log-level", log ? "info" : "error"],
  ];
  const out = log ? openSync(log, "a") : "ignore";
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", out, out],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      // A registry of its own: every `wrangler dev` of this project registers as
      // "palisade" in the shared one, and each registration reloads the others' runtime
      // ("Your worker restarted mid-request") — minutes into a million-decision load.
      WRANGLER_REGISTRY_PATH: `${persist}-registry`,
      WRANGLER_CI_DISABLE_CONFIG_WATCHING: "true",
      ...(log ? { WRANGLER_LOG: "debug" } : {}),
    },
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 480; i++) {
    try {
      if ((await fetch(`${base}/_palisade/v1/no-such-route`)).status === 404) {
        return { base, inspector, child, stop: () => stopChild(child) };
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  stopChild(child);
  throw new Error("wrangler dev did not start");
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, "SIGINT");
  } catch {}
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
}

/**
 * The isolate's inspector (wrangler's proxy) for a `wrangler dev` from startWorker, asked
 * a few times before giving up: a busy proxy may drop an upgrade.
 */
export async function inspectWorker(w) {
  const url = `ws://127.0.0.1:${w.inspector}/ws`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await inspect(url);
    } catch (err) {
      if (attempt >= 5) throw err;
      console.error(`bench:scale: inspector ${url}: ${String(err).slice(0, 100)}; again`);
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}

/** A Chrome DevTools Protocol session with the Worker's isolate (wrangler's inspector proxy or workerd's). */
export async function inspect(url) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("no answer in 15 s"));
    }, 15_000);
    ws.once("open", () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  let id = 0;
  const pending = new Map();
  let closed = null;
  ws.on("message", (m) => {
    const d = JSON.parse(String(m));
    pending.get(d.id)?.resolve(d.result);
    pending.delete(d.id);
  });
  // A dropped session fails what waits on it instead of hanging the bench.
  ws.on("close", () => {
    closed = new Error(`inspector ${url} closed`);
    for (const p of pending.values()) p.reject(closed);
    pending.clear();
  });
  ws.on("error", () => {});
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      if (closed) return reject(closed);
      const i = ++id;
      pending.set(i, { resolve, reject });
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  /** Heap in use plus ArrayBuffer backing stores, MB. */
  const heap = async () => {
    const h = await call("Runtime.getHeapUsage");
    return (h.usedSize + (h.backingStorageSize ?? 0)) / MB;
  };
  return {
    heap,
    /**
     * A full garbage collection (workerd's inspector has no collectGarbage; a heap
     * snapshot starts with one), so the next readings hold live objects and what runs
     * next, not the garbage of what ran before. The live heap, MB.
     */
    async collect() {
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      return heap();
    },
    /** Samples the heap until the returned function is called; resolves to the peak. */
    sample() {
      let peak = 0;
      let on = true;
      const loop = (async () => {
        while (on) {
          peak = Math.max(peak, await heap());
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      return async () => {
        on = false;
        await loop;
        return Math.max(peak, await heap());
      };
    },
    close: () => ws.close(),
  };
}

export async function call(base, method, path, { body, headers = {} } = {}) {
  const res = await fetch(`${base}/_palisade/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

export const adminHeaders = { authorization: `Bearer ${ADMIN}` };

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
