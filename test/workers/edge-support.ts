import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type MockInstance, vi } from "vitest";
import { createApp, createWorker } from "../../src/app";
import type { VarOverrides } from "../../src/config";
import {
  type DecisionEntry,
  type DeltaOp,
  type EncodedPart,
  KV_KEYS,
  type Manifest,
  SnapshotEncoder,
  sortKeyOf,
} from "../../src/core/blocklist/index";
import type { PalisadeOptions } from "../../src/edge/palisade";
import type { Env } from "../../src/env";

export const HOUR = 3_600_000;
export const ORIGIN = "https://origin.test";
export const SITEVERIFY = "https://siteverify.test/turnstile/v0/siteverify";
export const SECRET = "1x0000000000000000000000000000000AA";
export const SITEKEY = "1x00000000000000000000AA";

/** Vars the edge tests run with (on top of wrangler.toml's). */
export const TEST_VARS: VarOverrides = {
  ORIGIN_URL: ORIGIN,
  TURNSTILE_SITEKEY: SITEKEY,
  TURNSTILE_SECRET: SECRET,
  TURNSTILE_VERIFY_URL: SITEVERIFY,
  CLEARANCE_KEY: "edge-test-clearance-key",
  BLOCKLIST_REFRESH_MS: "0",
  FAIL_MODE: "open",
};

let nextId = 1;
export function decision(
  type: string,
  scope: string,
  value: string,
  until = Date.now() + HOUR,
): DecisionEntry {
  return { id: nextId++, type, scope, value, until };
}

/** Writes a blocklist to KV as the Ledger does: base parts, deltas, then the manifest. */
export async function seed(
  kv: KVNamespace,
  epoch: number,
  base: DecisionEntry[] | null,
  deltas: DeltaOp[][] = [],
  partBytes = 16 * 1024 * 1024,
): Promise<Manifest> {
  const keys = deltas.map((_, i) => KV_KEYS.delta(epoch, i));
  for (const [i, ops] of deltas.entries()) await kv.put(keys[i] as string, JSON.stringify(ops));
  const manifest: Manifest = {
    v: 2,
    epoch,
    base: base ? await seedBase(kv, epoch, base, partBytes) : null,
    deltas: keys,
    updated: Date.now(),
  };
  await kv.put(KV_KEYS.manifest, JSON.stringify(manifest));
  return manifest;
}

/** A base's parts in KV, cut by the streaming encoder from entries in snapshot order. */
async function seedBase(
  kv: KVNamespace,
  epoch: number,
  entries: DecisionEntry[],
  partBytes: number,
) {
  const sorted = entries
    .flatMap((e) => {
      const k = sortKeyOf(e.scope, e.value);
      return k ? [{ e, k: [...k].map((b) => b.toString(16).padStart(2, "0")).join("") }] : [];
    })
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.e.id - b.e.id));
  const enc = new SnapshotEncoder(partBytes);
  const parts: EncodedPart[] = [];
  for (const { e } of sorted) {
    const done = enc.addEntry(e);
    if (done) parts.push(done);
  }
  const last = enc.finish();
  if (last) parts.push(last);
  const layout = enc.layout();
  for (const [i, p] of parts.entries()) await kv.put(KV_KEYS.part(epoch, i), p.data);
  return { ...layout, parts: layout.parts.map((p, i) => ({ ...p, key: KV_KEYS.part(epoch, i) })) };
}

export interface KvProbe {
  kv: KVNamespace;
  reads: string[];
  writes: string[];
  /** When true every call rejects, as an unreachable KV does. */
  failing: boolean;
}

/** The test KV behind a wrapper that records reads and writes and can be made to fail. */
export function probeKv(inner: KVNamespace = env.BLOCKLIST): KvProbe {
  const probe: KvProbe = {
    kv: undefined as unknown as KVNamespace,
    reads: [],
    writes: [],
    failing: false,
  };
  const guard = () => {
    if (probe.failing) throw new Error("KV unreachable (test)");
  };
  probe.kv = {
    get: async (key: string, type: never) => {
      guard();
      probe.reads.push(key);
      return inner.get(key, type);
    },
    getWithMetadata: async () => {
      throw new Error("not used by the edge");
    },
    list: async () => {
      throw new Error("not used by the edge");
    },
    put: async (key: string) => {
      probe.writes.push(`put ${key}`);
    },
    delete: async (key: string) => {
      probe.writes.push(`delete ${key}`);
    },
  } as unknown as KVNamespace;
  return probe;
}

/** Something that answers requests as the Worker does. */
export interface Edge {
  fetch(request: Request, env: Env, ctx?: ExecutionContext): Promise<Response> | Response;
}

/** How the edge is built: the Worker (fast path for visitors) or its Hono app alone. */
export type EdgeBuild = "worker" | "hono";

export function edgeApp(
  kv: KVNamespace,
  vars: VarOverrides = {},
  extra: PalisadeOptions = {},
  build: EdgeBuild = "worker",
): Edge {
  const options = { palisade: { kv: () => kv, vars: { ...TEST_VARS, ...vars }, ...extra } };
  if (build === "hono") return createApp(options);
  const worker = createWorker(options);
  return { fetch: (request, e, ctx) => worker.fetch(request, e, ctx ?? createExecutionContext()) };
}

export interface VisitInit extends RequestInit {
  ip?: string;
  accept?: string;
  url?: string;
}

/** One request through an app, with its waitUntil work (the background refresh) finished. */
export async function visit(app: Edge, path: string, init: VisitInit = {}) {
  const headers = new Headers(init.headers);
  if (init.ip !== undefined) headers.set("CF-Connecting-IP", init.ip);
  if (init.accept !== undefined) headers.set("Accept", init.accept);
  const ctx = createExecutionContext();
  const request = new Request(`${init.url ?? "https://example.com"}${path}`, { ...init, headers });
  const res = await app.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export interface OriginCall {
  url: string;
  method: string;
  headers: Headers;
  body: string;
  redirect: string;
}

/**
 * Stubs the outbound network: the origin (echoes what it received as JSON, 201, with its
 * own headers) and Turnstile's siteverify (passes the token `pass`, fails any other).
 */
export function stubNetwork() {
  const origin: OriginCall[] = [];
  const siteverify: URLSearchParams[] = [];
  const spy: MockInstance<typeof fetch> = vi
    .spyOn(globalThis, "fetch")
    .mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      if (req.url === SITEVERIFY) {
        const form = new URLSearchParams(await req.text());
        siteverify.push(form);
        const success = form.get("response") === "pass" && form.get("secret") === SECRET;
        return Response.json({ success, "error-codes": success ? [] : ["invalid-input-response"] });
      }
      const call = {
        url: req.url,
        method: req.method,
        headers: req.headers,
        body: await req.text(),
        redirect: req.redirect,
      };
      origin.push(call);
      return originAnswer(call);
    });
  return { origin, siteverify, spy };
}

function originAnswer(call: OriginCall): Response {
  const path = new URL(call.url).pathname;
  if (path.endsWith("/moved")) {
    return new Response(null, {
      status: 302,
      headers: { Location: "https://origin.test/elsewhere" },
    });
  }
  return new Response(JSON.stringify({ method: call.method, url: call.url, body: call.body }), {
    status: 201,
    headers: {
      "Content-Type": "application/json",
      "X-Origin": "yes",
      "Set-Cookie": "sid=abc; Path=/",
    },
  });
}
