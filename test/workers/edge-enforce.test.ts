import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { palisade } from "../../src/edge/palisade";
import type { Env } from "../../src/env";
import {
  decision,
  edgeApp,
  HOUR,
  edgeApp as makeEdge,
  probeKv,
  seed,
  stubNetwork,
  TEST_VARS,
  visit,
} from "./edge-support";

const BANNED = "203.0.113.10";
const CLEAN = "198.51.100.20";

let net: ReturnType<typeof stubNetwork>;
beforeEach(() => {
  net = stubNetwork();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(["worker", "hono"] as const)("enforcement (%s)", (build) => {
  const edgeApp = (kv: KVNamespace) => makeEdge(kv, {}, {}, build);
  it("answers a banned address 403: HTML for browsers, JSON for API clients", async () => {
    const ban = decision("ban", "Ip", BANNED);
    await seed(env.BLOCKLIST, 1, [ban]);
    const app = edgeApp(probeKv().kv);
    const html = await visit(app, "/", { ip: BANNED, accept: "text/html,*/*;q=0.8" });
    expect(html.status).toBe(403);
    expect(html.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(html.headers.get("Cache-Control")).toBe("no-store");
    expect(await html.text()).toContain(`reference ${ban.id}`);
    const json = await visit(app, "/api", { ip: BANNED, accept: "application/json" });
    expect(json.status).toBe(403);
    expect(await json.json()).toEqual({
      error: { code: "banned", message: expect.stringContaining(`reference ${ban.id}`) },
    });
    expect(net.origin).toHaveLength(0);
  });

  it("answers a throttled address 429 with Retry-After until the decision ends", async () => {
    await seed(env.BLOCKLIST, 1, [decision("throttle", "Ip", BANNED, Date.now() + 90_000)]);
    const res = await visit(edgeApp(probeKv().kv), "/", { ip: BANNED, accept: "application/json" });
    expect(res.status).toBe(429);
    const retry = Number(res.headers.get("Retry-After"));
    expect(retry).toBeGreaterThan(80);
    expect(retry).toBeLessThanOrEqual(91);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("throttled");
  });

  it("ranks ban over captcha over throttle across scopes", async () => {
    await seed(env.BLOCKLIST, 1, [
      decision("throttle", "Ip", BANNED),
      decision("captcha", "Range", "203.0.113.0/24"),
      decision("ban", "AS", "64500"),
    ]);
    const app = edgeApp(probeKv().kv);
    const withAs = new Request("https://example.com/", {
      headers: { "CF-Connecting-IP": BANNED, Accept: "application/json" },
      cf: { asn: 64500, country: "FR" },
    } as RequestInit);
    const banned = await app.fetch(withAs, env);
    expect(banned.status).toBe(403);
    expect(((await banned.json()) as { error: { code: string } }).error.code).toBe("banned");
    const captcha = await visit(app, "/", { ip: BANNED, accept: "application/json" });
    expect(((await captcha.json()) as { error: { code: string } }).error.code).toBe(
      "captcha_required",
    );
  });

  it("applies Country and AS decisions from request.cf", async () => {
    await seed(env.BLOCKLIST, 1, [
      decision("ban", "Country", "KP"),
      decision("ban", "AS", "64501"),
    ]);
    const app = edgeApp(probeKv().kv);
    const from = (cf: object) =>
      app.fetch(
        new Request("https://example.com/", {
          headers: { "CF-Connecting-IP": CLEAN },
          cf,
        } as RequestInit),
        env,
      );
    expect((await from({ country: "KP", asn: 1 })).status).toBe(403);
    expect((await from({ country: "FR", asn: 64501 })).status).toBe(403);
    expect((await from({ country: "FR", asn: 1 })).status).toBe(201);
  });

  it("matches IPv6 visitors by their /64 and IPv4-mapped IPv6 as IPv4", async () => {
    await seed(env.BLOCKLIST, 1, [
      decision("ban", "Ip", "2001:db8:1:2::1"),
      decision("ban", "Ip", BANNED),
    ]);
    const app = edgeApp(probeKv().kv);
    expect((await visit(app, "/", { ip: "2001:db8:1:2:aaaa::7" })).status).toBe(403);
    expect((await visit(app, "/", { ip: "2001:db8:1:3::1" })).status).toBe(201);
    expect((await visit(app, "/", { ip: `::ffff:${BANNED}` })).status).toBe(403);
  });

  it("lets allowlisted addresses through whatever decision matches them", async () => {
    await seed(env.BLOCKLIST, 1, [
      decision("ban", "Ip", "10.1.2.3"),
      decision("ban", "Country", "FR"),
    ]);
    const app = edgeApp(probeKv().kv);
    const fromFrance = (ip: string) =>
      app.fetch(
        new Request("https://example.com/", {
          headers: { "CF-Connecting-IP": ip },
          cf: { country: "FR" },
        } as RequestInit),
        env,
      );
    expect((await visit(app, "/", { ip: "10.1.2.3" })).status).toBe(201);
    expect((await fromFrance("192.168.1.1")).status).toBe(201);
    expect((await fromFrance(CLEAN)).status).toBe(403);
  });

  it("takes the address from CF-Connecting-IP only, never X-Forwarded-For", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const app = edgeApp(probeKv().kv);
    const spoofClean = await visit(app, "/", {
      ip: BANNED,
      headers: { "X-Forwarded-For": CLEAN, "X-Real-IP": CLEAN },
    });
    expect(spoofClean.status).toBe(403);
    const blameOther = await visit(app, "/", { ip: CLEAN, headers: { "X-Forwarded-For": BANNED } });
    expect(blameOther.status).toBe(201);
  });

  it("ignores expired decisions", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED, Date.now() - 1000)]);
    expect((await visit(edgeApp(probeKv().kv), "/", { ip: BANNED })).status).toBe(201);
  });

  it("puts Palisade's own routes behind the decisions too, and answers unknown ones with a JSON 404", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const app = edgeApp(probeKv().kv);
    // A banned address gets no Palisade route either, once the isolate holds the blocklist
    // (a visitor loaded it; issue 10, item 7: own-routes.test.ts).
    expect((await visit(app, "/_palisade/v1/health", { ip: BANNED })).status).toBe(200);
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(201);
    expect((await visit(app, "/_palisade/v1/health", { ip: BANNED })).status).toBe(403);
    expect((await visit(app, "/_palisade/v1/health", { ip: CLEAN })).status).toBe(200);
    const missing = await visit(app, "/_palisade/v1/nope", { ip: CLEAN });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
    // Only the clean visitor reached the origin.
    expect(net.origin.map((c) => new URL(c.url).pathname)).toEqual(["/"]);
  });
});

describe("deltas and refresh", () => {
  it("applies new deltas and new bases in the background, never making a visitor wait", async () => {
    const first = decision("ban", "Ip", BANNED);
    await seed(env.BLOCKLIST, 1, [first]);
    const probe = probeKv();
    const app = edgeApp(probe.kv, { BLOCKLIST_REFRESH_MS: "0" });
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
    expect(probe.reads.splice(0)).toEqual(["bl:manifest", "bl:base:1"]);
    // The Ledger lifts the ban and bans another address in a delta.
    await seed(
      env.BLOCKLIST,
      1,
      [first],
      [
        [
          { op: "del", id: first.id },
          { op: "add", d: decision("ban", "Ip", CLEAN) },
        ],
      ],
    );
    // This request was answered from the copy, then refreshed it in waitUntil.
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(201);
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(403);
    // Only the new delta is read, not the base again.
    const reads = probe.reads.splice(0);
    expect(reads.filter((k) => k !== "bl:manifest")).toEqual(["bl:delta:1:0"]);
    // A compaction: new epoch, new base.
    await seed(env.BLOCKLIST, 2, [decision("captcha", "Ip", BANNED)]);
    await visit(app, "/", { ip: BANNED });
    const res = await visit(app, "/", { ip: BANNED, accept: "application/json" });
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("captcha_required");
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(201);
  });

  it("reads KV at most once per refresh interval", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const probe = probeKv();
    const app = edgeApp(probe.kv, { BLOCKLIST_REFRESH_MS: String(HOUR) });
    for (let i = 0; i < 20; i++) await visit(app, "/", { ip: `198.51.100.${i + 1}` });
    expect(probe.reads).toEqual(["bl:manifest", "bl:base:1"]);
  });

  it("works before the first compaction (deltas only) and with nothing written yet", async () => {
    await env.BLOCKLIST.delete("bl:manifest");
    const probe = probeKv();
    const app = edgeApp(probe.kv);
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(201);
    await seed(env.BLOCKLIST, 0, null, [[{ op: "add", d: decision("ban", "Ip", BANNED) }]]);
    await visit(app, "/", { ip: BANNED });
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
  });
});

describe("as a middleware in another Hono app", () => {
  it("guards the app's own routes", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const kv = probeKv().kv;
    const app = new Hono<{ Bindings: Env }>()
      .use("*", palisade({ kv: () => kv, vars: TEST_VARS }))
      .get("/hello", (c) => c.text("hello"));
    expect((await visit(app, "/hello", { ip: BANNED })).status).toBe(403);
    const ok = await visit(app, "/hello", { ip: CLEAN });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("hello");
    expect(net.origin).toHaveLength(0);
  });
});
