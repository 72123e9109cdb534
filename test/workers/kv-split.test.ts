import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  Blocklist,
  type DecisionEntry,
  encodeSnapshot,
  KV_KEYS,
  type Manifest,
} from "../../src/core/blocklist/index";
import { readBase } from "../../src/edge/blocklist-load";
import { edgeApp, HOUR, probeKv, seed, stubNetwork, visit } from "./edge-support";

// A base too large for one KV value is split over keys the manifest lists; the isolate
// loads them in parallel and assembles one lookup structure, equal to the unsplit list.

const PART = 8192;
let nextId = 100_000;

type Made = { scope: string; value: string; probe: string };
const KINDS: Record<string, (i: number) => Made> = {
  ipv4: (i) => {
    const value = `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    return { scope: "Ip", value, probe: value };
  },
  ipv6: (i) => {
    // An IPv6 `Ip` decision covers its /64: probe another address of it.
    const net = `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
    return { scope: "Ip", value: `${net}::1`, probe: `${net}::77` };
  },
  ranges: (i) => {
    const n = `${(i >> 8) & 255}.${i & 255}`;
    const h = (i & 0xffff).toString(16);
    return i % 2
      ? { scope: "Range", value: `12.${n}.0/24`, probe: `12.${n}.200` }
      : { scope: "Range", value: `2001:db9:${h}::/48`, probe: `2001:db9:${h}:7::1` };
  },
  mixed: (i) => (KINDS[["ipv4", "ipv6", "ranges"][i % 3] as string] as (i: number) => Made)(i),
};

function entriesOf(kind: string, n: number): { entries: DecisionEntry[]; made: Made[] } {
  const make = KINDS[kind] as (i: number) => Made;
  const made = Array.from({ length: n }, (_, i) => make(i));
  const until = Date.now() + HOUR;
  const entries = made.map(({ scope, value }, i) => ({
    id: nextId++,
    type: ["ban", "captcha", "throttle"][i % 3] as string,
    scope,
    value,
    until,
  }));
  return { entries, made };
}

beforeEach(() => {
  stubNetwork();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("a base split over several KV keys", () => {
  for (const kind of Object.keys(KINDS)) {
    it(`${kind}: parts listed in the manifest, decoded into one list equal to the unsplit one`, async () => {
      const { entries, made } = entriesOf(kind, 2_000);
      const m = await seed(env.BLOCKLIST, 7, entries, [], PART);
      const parts = m.base?.parts ?? [];
      expect(parts.length).toBeGreaterThan(3);
      expect(parts.map((p) => p.key)).toEqual(parts.map((_, i) => KV_KEYS.part(7, i)));
      for (const p of parts) {
        const bytes = await env.BLOCKLIST.get(p.key, "arrayBuffer");
        expect(bytes?.byteLength).toBe(p.bytes);
        expect(p.bytes).toBeLessThanOrEqual(PART);
      }
      const whole = Blocklist.fromSnapshot(encodeSnapshot(entries));
      const split = await readBase(env.BLOCKLIST, m.base as NonNullable<Manifest["base"]>, {});
      expect(split.size).toBe(entries.length);
      const now = Date.now();
      for (const probe of [...made.map((x) => x.probe), "198.51.100.1", "2001:db8:ffff::1"]) {
        expect(split.lookup({ ip: probe }, now), probe).toEqual(whole.lookup({ ip: probe }, now));
      }
      // Through the edge: the isolate's first request loads every part.
      const kv = probeKv();
      const app = edgeApp(kv.kv);
      const first = made[0] as Made;
      expect((await visit(app, "/", { ip: first.probe })).status).toBe(403);
      expect(new Set(kv.reads)).toEqual(new Set([KV_KEYS.manifest, ...parts.map((p) => p.key)]));
      expect((await visit(app, "/", { ip: "198.51.100.1" })).status).toBe(201);
    });
  }

  it("fetches the parts in parallel", async () => {
    const { entries } = entriesOf("ipv4", 3_000);
    const m = await seed(env.BLOCKLIST, 8, entries, [], PART);
    const gate = gatedKv(env.BLOCKLIST, (key) => key.startsWith("bl:base:8"));
    const loading = readBase(gate.kv, m.base as NonNullable<Manifest["base"]>, {});
    await vi.waitFor(() => expect(gate.waiting.length).toBe(4));
    gate.open();
    expect((await loading).size).toBe(entries.length);
  });

  it("refuses a part whose bytes are not the ones the manifest describes", async () => {
    const { entries } = entriesOf("ipv4", 3_000);
    const m = await seed(env.BLOCKLIST, 9, entries, [], PART);
    const victim = m.base?.parts[2]?.key as string;
    await env.BLOCKLIST.put(victim, new Uint8Array(4096));
    await expect(
      readBase(env.BLOCKLIST, m.base as NonNullable<Manifest["base"]>, {}),
    ).rejects.toThrow(victim);
  });
});

describe("a refresh while visitors wait", () => {
  it("keeps serving the old copy until the new one is whole, then swaps it in", async () => {
    const old = entriesOf("ipv4", 10).entries;
    await seed(env.BLOCKLIST, 20, old);
    const gate = gatedKv(env.BLOCKLIST, (key) => key.startsWith("bl:base:21"));
    const app = edgeApp(gate.kv, { BLOCKLIST_REFRESH_MS: "0" });
    const A = (old[0] as DecisionEntry).value;
    expect((await visit(app, "/", { ip: A })).status).toBe(403);
    // A compaction lifts A and bans B, in a base of several parts.
    const next = entriesOf("ipv4", 3_000).entries.slice(old.length);
    const B = (next[0] as DecisionEntry).value;
    await seed(env.BLOCKLIST, 21, next, [], PART);
    // This visitor starts the refresh, which waits on the new parts; it is not held.
    const ctx = createExecutionContext();
    const during = await app.fetch(request(A), env, ctx);
    expect(during.status).toBe(403);
    await vi.waitFor(() => expect(gate.waiting.length).toBeGreaterThan(0));
    for (let i = 0; i < 5; i++) {
      expect((await app.fetch(request(A), env, createExecutionContext())).status).toBe(403);
      expect((await app.fetch(request(B), env, createExecutionContext())).status).toBe(201);
    }
    gate.open();
    await waitOnExecutionContext(ctx);
    expect((await visit(app, "/", { ip: A })).status).toBe(201);
    expect((await visit(app, "/", { ip: B })).status).toBe(403);
  });
});

function request(ip: string): Request {
  return new Request("https://example.com/", { headers: { "CF-Connecting-IP": ip } });
}

/** KV whose reads of matching keys wait until `open()`. */
function gatedKv(inner: KVNamespace, held: (key: string) => boolean) {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const waiting: string[] = [];
  const kv = {
    get: async (key: string, type: never) => {
      if (held(key)) {
        waiting.push(key);
        await gate;
      }
      return inner.get(key, type);
    },
  } as unknown as KVNamespace;
  return { kv, waiting, open: () => release() };
}
