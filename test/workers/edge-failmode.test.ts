import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { KV_KEYS } from "../../src/core/blocklist/index";
import { decision, edgeApp, probeKv, seed, stubNetwork, visit } from "./edge-support";

const BANNED = "203.0.113.70";
const CLEAN = "198.51.100.70";

let net: ReturnType<typeof stubNetwork>;
let errors: MockInstance<typeof console.error>;
let warnings: MockInstance<typeof console.warn>;
beforeEach(() => {
  net = stubNetwork();
  errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
  warnings = vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const logged = (spy: MockInstance<(...args: unknown[]) => void>, code: string) =>
  spy.mock.calls.filter((c) => c[0] === code);

describe("fail mode", () => {
  it("open (the default): lets visitors through when KV is unreachable, and logs it", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const probe = probeKv();
    probe.failing = true;
    const res = await visit(edgeApp(probe.kv, { FAIL_MODE: undefined }), "/", { ip: BANNED });
    expect(res.status).toBe(201);
    expect(logged(errors, "palisade.blocklist.unavailable")).toHaveLength(1);
    expect(logged(errors, "palisade.failmode")[0]?.[1]).toMatchObject({ mode: "open" });
  });

  it("closed: answers 503 with Retry-After when KV is unreachable, and logs it", async () => {
    const probe = probeKv();
    probe.failing = true;
    const app = edgeApp(probe.kv, { FAIL_MODE: "closed" });
    const json = await visit(app, "/", { ip: CLEAN, accept: "application/json" });
    expect(json.status).toBe(503);
    expect(json.headers.get("Retry-After")).toBe("5");
    expect(await json.json()).toMatchObject({ error: { code: "blocklist_unavailable" } });
    const html = await visit(app, "/", { ip: CLEAN });
    expect(html.status).toBe(503);
    expect(html.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(net.origin).toHaveLength(0);
    expect(logged(errors, "palisade.failmode")[0]?.[1]).toMatchObject({ mode: "closed" });
  });

  it("retries the first load after a second, then enforces", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const probe = probeKv();
    probe.failing = true;
    let clock = Date.now();
    const app = edgeApp(probe.kv, { FAIL_MODE: "closed" }, { now: () => clock });
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(503);
    probe.failing = false;
    // Within the retry pause, no new KV attempt: the fail mode answers at once.
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(503);
    expect(probe.reads).toEqual([]);
    clock += 1500;
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
    expect((await visit(app, "/", { ip: CLEAN })).status).toBe(201);
  });

  it("applies the fail mode when the first load is too slow, and uses the load once it lands", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const probe = probeKv();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = {
      get: async (key: string, type: never) => {
        await gate;
        return probe.kv.get(key, type);
      },
    } as unknown as KVNamespace;
    const app = edgeApp(slow, { FAIL_MODE: "open" }, { firstLoadTimeoutMs: 20 });
    const first = app.fetch(
      new Request("https://example.com/", { headers: { "CF-Connecting-IP": BANNED } }),
      env,
    );
    expect((await first).status).toBe(201);
    release();
    await gate;
    await new Promise((r) => setTimeout(r, 20));
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
  });

  it("keeps serving the last good copy when a refresh fails", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const probe = probeKv();
    const app = edgeApp(probe.kv, { BLOCKLIST_REFRESH_MS: "0" });
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
    probe.failing = true;
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
    expect(logged(warnings, "palisade.blocklist.refresh_failed").length).toBeGreaterThan(0);
    expect(logged(errors, "palisade.failmode")).toHaveLength(0);
  });

  it("keeps the last good copy while a key the manifest names is not visible yet", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const app = edgeApp(probeKv().kv, { BLOCKLIST_REFRESH_MS: "0" });
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
    await env.BLOCKLIST.put(
      KV_KEYS.manifest,
      JSON.stringify({ v: 1, epoch: 9, base: "bl:base:9", deltas: [], updated: Date.now() }),
    );
    await visit(app, "/", { ip: BANNED });
    expect((await visit(app, "/", { ip: BANNED })).status).toBe(403);
    expect(logged(warnings, "palisade.blocklist.refresh_failed")[0]?.[1]).toMatchObject({
      message: expect.stringContaining("bl:base:9"),
    });
  });

  it("treats a corrupt snapshot as unavailable", async () => {
    await env.BLOCKLIST.put("bl:base:4", new Uint8Array(64));
    await env.BLOCKLIST.put(
      KV_KEYS.manifest,
      JSON.stringify({ v: 1, epoch: 4, base: "bl:base:4", deltas: [], updated: Date.now() }),
    );
    const res = await visit(edgeApp(probeKv().kv, { FAIL_MODE: "closed" }), "/", { ip: CLEAN });
    expect(res.status).toBe(503);
    expect(logged(errors, "palisade.blocklist.unavailable")[0]?.[1]).toMatchObject({
      message: expect.stringContaining("magic"),
    });
  });
});

describe("KV writes", () => {
  it("nothing on the visitor path writes to KV", async () => {
    await seed(env.BLOCKLIST, 1, [
      decision("ban", "Ip", BANNED),
      decision("captcha", "Ip", "203.0.113.71"),
      decision("throttle", "Ip", "203.0.113.72"),
    ]);
    const probe = probeKv();
    const app = edgeApp(probe.kv, { BLOCKLIST_REFRESH_MS: "0" });
    const statuses: number[] = [];
    for (const ip of [BANNED, "203.0.113.71", "203.0.113.72", CLEAN, "10.0.0.1"]) {
      statuses.push((await visit(app, "/", { ip })).status);
    }
    const solved = await visit(app, "/_palisade/v1/captcha/verify", {
      ip: "203.0.113.71",
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "cf-turnstile-response=pass&return=%2F",
    });
    statuses.push(solved.status);
    const cookie = (solved.headers.get("Set-Cookie") ?? "").split(";")[0] as string;
    statuses.push(
      (await visit(app, "/", { ip: "203.0.113.71", headers: { Cookie: cookie } })).status,
    );
    probe.failing = true;
    statuses.push((await visit(app, "/", { ip: CLEAN })).status);
    expect(statuses).toEqual([403, 403, 429, 201, 201, 303, 201, 201]);
    expect(probe.reads.length).toBeGreaterThan(2);
    expect(probe.writes).toEqual([]);
  });
});
