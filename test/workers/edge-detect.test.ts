import {
  createExecutionContext,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createWorker } from "../../src/app";
import type { VarOverrides } from "../../src/config";
import { watchedSource } from "../../src/core/parser/index";
import type { Env } from "../../src/env";
import { EdgeFeed } from "../../src/ingest/index";
import worker from "../../src/worker";
import { type Edge, probeKv, seed, TEST_VARS, visit } from "./edge-support";
import {
  accessLine,
  batch,
  ledger,
  ledgerChanges,
  postIngest,
  probingLines,
  trackerView,
} from "./ingest-support";

// Edge-native detection: the requests the edge passes to the origin feed the scenarios
// (EdgeFeed → router → SourceTracker), with no shipper and no ingest call.

interface Seen {
  origin: string[];
  palisade: string[];
}

/** The origin: 404 for /missing/…, 200 otherwise; Palisade's own URLs noted apart. */
function stubOrigin(): Seen {
  const seen: Seen = { origin: [], palisade: [] };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.pathname.startsWith("/_palisade/")) seen.palisade.push(req.url);
    else seen.origin.push(req.url);
    const missing = url.pathname.includes("/missing/");
    return new Response(missing ? "not here" : "page", {
      status: missing ? 404 : 200,
      headers: { "Content-Length": missing ? "8" : "4" },
    });
  });
  return seen;
}

/** The Worker with its own feed; a year-long refresh keeps KV out of the picture. */
function edgeWith(feed: EdgeFeed, vars: VarOverrides = {}): Edge {
  const worker = createWorker({
    palisade: {
      kv: () => probeKv().kv,
      vars: { ...TEST_VARS, BLOCKLIST_REFRESH_MS: "3600000", EDGE_DETECTION: "on", ...vars },
    },
    detection: feed,
  });
  return { fetch: (request, e, ctx) => worker.fetch(request, e, ctx as ExecutionContext) };
}

async function alertsOn(ip: string) {
  return runInDurableObject(ledger(), (_, state) =>
    state.storage.sql
      .exec<{ scenario: string; alert: string }>(
        "SELECT scenario, alert FROM alerts WHERE value = ?",
        ip,
      )
      .toArray(),
  );
}

async function batchCount(): Promise<number> {
  return runInDurableObject(ledger(), (_, state) =>
    Number(state.storage.sql.exec("SELECT count(*) AS n FROM batches").one().n),
  );
}

let seen: Seen;
beforeEach(async () => {
  await seed(env.BLOCKLIST, 1, []);
  seen = stubOrigin();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("edge-native detection", () => {
  it("stops a prober of 40 missing pages, with no ingest call, from the tracker's answer", async () => {
    const prober = "203.0.113.41";
    const feed = new EdgeFeed({ flushMs: 0 });
    const app = edgeWith(feed);
    const batchesBefore = await batchCount();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await visit(app, `/missing/page-${i}`, {
        ip: prober,
        accept: "application/json",
      });
      statuses.push(res.status);
    }
    // http-probing overflows on the 11th distinct 404: from then on the edge answers 403
    // itself (the isolate learned the decision; KV is never re-read here).
    const firstStop = statuses.indexOf(403);
    expect(firstStop).toBeGreaterThan(9);
    expect(firstStop).toBeLessThan(40);
    expect(statuses.slice(firstStop).every((s) => s === 403)).toBe(true);
    expect(seen.origin).toHaveLength(firstStop);
    const after = await visit(app, "/", { ip: prober, accept: "application/json" });
    expect(after.status).toBe(403);
    expect(await after.json()).toMatchObject({ error: { code: "captcha_required" } });
    // The decision is the Ledger's like any other (KV, other isolates, the API).
    const { added } = await ledgerChanges(0);
    expect(added.find((d) => d.value === prober)).toMatchObject({ type: "captcha" });
    const alerts = await alertsOn(prober);
    expect(alerts.map((a) => a.scenario)).toContain("palisade/http-probing");
    // The evidence says where it came from.
    expect(alerts[0]?.alert).toContain('"datasource_type":"edge"');
    // No ingest: no request to Palisade's routes, no batch recorded, nothing queued.
    expect(seen.palisade).toEqual([]);
    expect(await batchCount()).toBe(batchesBefore);
    expect(feed.stats.queued).toBe(0);
    expect(feed.stats.pours).toBeGreaterThan(0);
  });

  it("bans a scanner whose 40 missing pages include web shells (exploitation: a ban at once)", async () => {
    const scanner = "203.0.113.46";
    const app = edgeWith(new EdgeFeed({ flushMs: 0 }));
    const names = ["c99.php", "r57.php", "wso.php", "b374k.php", "alfa.php"];
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const path = i % 4 === 1 ? `/missing/${names[i % names.length]}` : `/missing/dir-${i}/`;
      statuses.push((await visit(app, path, { ip: scanner })).status);
    }
    expect(statuses.slice(-5)).toEqual([403, 403, 403, 403, 403]);
    const res = await visit(app, "/", { ip: scanner, accept: "application/json" });
    expect(await res.json()).toMatchObject({ error: { code: "banned" } });
    const { added } = await ledgerChanges(0);
    expect(added.filter((d) => d.value === scanner).map((d) => d.type)).toContain("ban");
    expect(seen.palisade).toEqual([]);
  });

  it("1,000 clean requests raise nothing", async () => {
    const feed = new EdgeFeed({ flushMs: 20 });
    const app = edgeWith(feed);
    const pages = ["/", "/about", "/shop", "/shop/item-1", "/style.css", "/app.js", "/logo.png"];
    const visitors = Array.from({ length: 100 }, (_, i) => `198.51.100.${i + 1}`);
    for (let round = 0; round < 10; round++) {
      // A round: every visitor asks for a page at once (their flushes are shared).
      const res = await Promise.all(
        visitors.map((ip, v) =>
          visit(app, pages[(round + v) % pages.length] as string, {
            ip,
            headers: { "User-Agent": "Mozilla/5.0" },
          }),
        ),
      );
      expect(res.every((r) => r.status === 200)).toBe(true);
    }
    expect(seen.origin).toHaveLength(1_000);
    expect(feed.stats.recorded).toBe(1_000);
    expect(feed.stats.failed).toBe(0);
    // Page views only volume scenarios count, from visitors far below their thresholds:
    // held in the isolate, no Durable Object called.
    expect(feed.stats.held).toBe(1_000);
    expect(feed.stats.pours).toBe(0);
    const { added } = await ledgerChanges(0);
    expect(added.filter((d) => visitors.includes(d.value))).toEqual([]);
    for (const ip of visitors.slice(0, 5)) expect(await alertsOn(ip)).toEqual([]);
  });

  it("pours a source that sends more than a quiet visitor could, its held requests first", async () => {
    const feed = new EdgeFeed({ flushMs: 0 });
    const app = edgeWith(feed);
    const busy = "198.51.100.200";
    for (let i = 0; i < 25; i++) await visit(app, `/catalog/page-${i}`, { ip: busy });
    // 20 held (the threshold the built-in crawl scenario allows: capacity 60, 2 pages/s),
    // then the 21st promotes the source: all 25 reach its tracker, in order.
    expect(feed.stats.held).toBe(20);
    expect(feed.stats.sent).toBe(25);
    expect((await trackerView(busy)).buckets).toBeGreaterThan(0);
    // A 404 sends a quiet source's held page views along with it.
    const quiet = "198.51.100.201";
    for (let i = 0; i < 3; i++) await visit(app, `/p${i}`, { ip: quiet });
    await visit(app, "/missing/one", { ip: quiet });
    expect(feed.stats.sent).toBe(29);
  });

  it("EDGE_DETECTION=off records nothing; sample:N watches one source in N", async () => {
    const off = new EdgeFeed({ flushMs: 0 });
    const app = edgeWith(off, { EDGE_DETECTION: "off" });
    for (let i = 0; i < 15; i++) await visit(app, `/missing/${i}`, { ip: "203.0.113.42" });
    expect(off.stats.recorded).toBe(0);
    const sampled = new EdgeFeed({ flushMs: 0 });
    const some = edgeWith(sampled, { EDGE_DETECTION: "sample:4" });
    const ips = Array.from({ length: 200 }, (_, i) => `192.0.2.${i}`);
    for (const ip of ips) await visit(some, "/missing/x", { ip, method: "HEAD" });
    expect(sampled.stats.recorded).toBeGreaterThan(20);
    expect(sampled.stats.recorded).toBeLessThan(90);
  });

  it("the Worker as deployed detects by default", async () => {
    const prober = "203.0.113.43";
    // The test tier's vars turn it off for shipper tests: here the var is unset.
    const { EDGE_DETECTION: _off, ...deployed } = env;
    const ask = async (path: string) => {
      const ctx = createExecutionContext();
      const request = new Request<unknown, IncomingRequestCfProperties>(
        `https://site.example${path}`,
        { headers: { "CF-Connecting-IP": prober, Accept: "application/json" } },
      );
      const res = await worker.fetch(request, deployed as Env, ctx);
      await waitOnExecutionContext(ctx);
      return res.status;
    };
    for (let i = 0; i < 20; i++) await ask(`/missing/x${i}`);
    await vi.waitFor(async () => expect(await ask("/")).toBe(403), {
      timeout: 10_000,
      interval: 100,
    });
    expect(seen.palisade).toEqual([]);
  });
});

describe("edge and shipped logs of the same site", () => {
  const on: Env = { ...env, EDGE_DETECTION: "on" };
  const now = Date.now();
  /** A shipped source the operator labelled as a host behind the Worker. */
  const fronted = (lines: string[]) => ({
    ...batch(lines),
    source: { type: "nginx", labels: { edge: "on" } },
  });

  it("ingest leaves a source labelled edge: on to the edge, and still counts its error logs", async () => {
    const ip = "203.0.113.44";
    const res = await postIngest(fronted(probingLines(ip, now)), { env: on });
    expect(await res.json()).toMatchObject({
      parsed: 12,
      filtered: 12,
      edge_covered: 12,
      forwarded: 0,
      decisions: 0,
    });
    const errors = [
      `2026/12/05 06:00:00 [error] 11#11: *1 open() "/srv/x" failed (2: No such file or directory), client: ${ip}, server: site.example, request: "GET /x HTTP/1.1", host: "site.example"`,
    ];
    const mixed = await postIngest(fronted([...errors, ...probingLines(ip, now)]), { env: on });
    expect(await mixed.json()).toMatchObject({ parsed: 13, edge_covered: 12 });
  });

  it("an unlabelled source (a shipper from before edge detection) is counted whole", async () => {
    const ip = "203.0.113.45";
    const res = await postIngest(batch(probingLines(ip, now)), { env: on });
    const body = await res.json();
    expect(body).toMatchObject({ forwarded: 12, decisions: 1 });
    expect(body).not.toHaveProperty("edge_covered");
  });

  it("with sample:N, only the sampled sources' access lines are left to the edge", async () => {
    const sample: Env = { ...env, EDGE_DETECTION: "sample:2" };
    const ips = Array.from({ length: 40 }, (_, i) => `192.0.2.${100 + i}`);
    const lines = ips.map((ip, i) => accessLine(ip, now + i, "/", 200));
    const res = await postIngest(fronted(lines), { env: sample });
    const watched = ips.filter((ip) => watchedSource(ip, 2)).length;
    expect(watched).toBeGreaterThan(0);
    expect(watched).toBeLessThan(40);
    expect(await res.json()).toMatchObject({ edge_covered: watched, forwarded: 40 - watched });
  });
});
