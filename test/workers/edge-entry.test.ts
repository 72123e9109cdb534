import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { decision, seed, stubNetwork } from "./edge-support";

// The Worker as deployed (src/worker.ts, wrangler.toml's vars): the blocklist is in
// KV before the isolate's first request, which loads it.
const BANNED = "203.0.113.90";
const CLEAN = "198.51.100.90";

beforeAll(async () => {
  await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("the default Worker", () => {
  it("bans from KV, passes clean visitors to the route's origin, and never writes KV", async () => {
    const net = stubNetwork();
    const put = vi.spyOn(env.BLOCKLIST, "put");
    const del = vi.spyOn(env.BLOCKLIST, "delete");
    const get = vi.spyOn(env.BLOCKLIST, "get");
    const banned = await exports.default.fetch("https://site.example/", {
      headers: { "CF-Connecting-IP": BANNED, Accept: "application/json" },
    });
    expect(banned.status).toBe(403);
    expect(await banned.json()).toMatchObject({ error: { code: "banned" } });
    const clean = await exports.default.fetch("https://site.example/a?b=1", {
      method: "POST",
      body: "x=1",
      headers: { "CF-Connecting-IP": CLEAN, "X-Forwarded-For": BANNED },
    });
    expect(clean.status).toBe(201);
    expect(net.origin.map((c) => `${c.method} ${c.url} ${c.body}`)).toEqual([
      "POST https://site.example/a?b=1 x=1",
    ]);
    // The spies see the Worker's own KV calls (its first load), so silence on put means no write.
    expect(get).toHaveBeenCalledWith("bl:manifest", "text");
    expect(put).not.toHaveBeenCalled();
    expect(del).not.toHaveBeenCalled();
  });

  it("renders errors on its own routes as Palisade JSON", async () => {
    const res = await exports.default.fetch("https://site.example/_palisade/v1/unknown");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "No Palisade route GET /_palisade/v1/unknown." },
    });
  });
});
