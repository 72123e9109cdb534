import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { apiRoutes, isAdminRequest } from "../../src/api/index";
import { createWorker } from "../../src/app";
import { configOf, type VarOverrides } from "../../src/config";
import { ingestRoutes } from "../../src/ingest/index";
import { type Edge, probeKv, seed, stubNetwork, visit } from "./edge-support";

/**
 * Issue 10, item 9: the example secrets (`…-change-me`) and Turnstile's test keys never
 * reach production silently: outside PALISADE_ENV=local the Worker refuses to serve and
 * says why in its log on every request; locally it warns once.
 */

const EXAMPLE = {
  PALISADE_ADMIN_TOKEN: "local-admin-token-change-me",
  PALISADE_MACHINE_TOKEN: "local-machine-token-change-me",
  CLEARANCE_KEY: "local-clearance-key-change-me",
  TURNSTILE_SITEKEY: "1x00000000000000000000AA",
  TURNSTILE_SECRET: "1x0000000000000000000000000000000AA",
};

function worker(vars: VarOverrides): Edge {
  const w = createWorker({
    routes: [ingestRoutes, apiRoutes],
    palisade: { kv: () => probeKv().kv, vars: { ORIGIN_URL: "https://origin.test", ...vars } },
    ownRouteExemption: isAdminRequest,
  });
  return { fetch: (r, e, ctx) => w.fetch(r, e, ctx ?? createExecutionContext()) };
}

let net: ReturnType<typeof stubNetwork>;
beforeEach(async () => {
  net = stubNetwork();
  await seed(env.BLOCKLIST, 1, []);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("what counts as unsafe", () => {
  it("names each example secret and test key, never a real one", () => {
    const unsafe = configOf({ ...EXAMPLE, PALISADE_ENV: "production" }).unsafe;
    expect(unsafe.map((u) => u.name)).toEqual([
      "PALISADE_ADMIN_TOKEN",
      "PALISADE_MACHINE_TOKEN",
      "CLEARANCE_KEY",
      "TURNSTILE_SITEKEY",
      "TURNSTILE_SECRET",
    ]);
    for (const u of unsafe) expect(u.why).not.toContain("change-me");
    for (const key of ["2x00000000000000000000AB", "3x00000000000000000000FF"]) {
      expect(configOf({ TURNSTILE_SITEKEY: key }).unsafe.map((u) => u.name)).toEqual([
        "TURNSTILE_SITEKEY",
      ]);
    }
    const real = configOf({
      PALISADE_ADMIN_TOKEN: "9f2c1e…a-long-random-secret",
      TURNSTILE_SITEKEY: "0x4AAAAAAABkMYinukE8nzY",
      TURNSTILE_SECRET: "0x4AAAAAAABkMYinukE8nzYsecret",
    });
    expect(real.unsafe).toEqual([]);
    expect(configOf({ PALISADE_ENV: "LOCAL" }).local).toBe(true);
    expect(configOf({ PALISADE_ENV: "staging" }).local).toBe(false);
    expect(configOf({}).local).toBe(false);
  });
});

describe("outside PALISADE_ENV=local", () => {
  it("refuses every request with 503, names nothing publicly, and logs why on each request", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const w = worker({ ...EXAMPLE, PALISADE_ENV: "production" });
    for (const [path, init] of [
      ["/", { ip: "198.51.100.5" }],
      ["/_palisade/v1/health", { ip: "198.51.100.5", accept: "application/json" }],
      [
        "/_palisade/v1/admin/decisions",
        { headers: { Authorization: `Bearer ${EXAMPLE.PALISADE_ADMIN_TOKEN}` } },
      ],
    ] as const) {
      const res = await visit(w, path, init);
      expect(res.status, path).toBe(503);
      const text = await res.text();
      expect(text).toContain("refuses to serve");
      expect(text).not.toMatch(/change-me|PALISADE_ADMIN_TOKEN|1x0000/);
    }
    expect(net.origin).toHaveLength(0);
    const logged = err.mock.calls.filter((c) => c[0] === "palisade.config.unsafe");
    expect(logged).toHaveLength(3);
    const entry = logged[0]?.[1] as { settings: string; message: string };
    expect(entry.settings).toBe(
      "PALISADE_ADMIN_TOKEN, PALISADE_MACHINE_TOKEN, CLEARANCE_KEY, TURNSTILE_SITEKEY, TURNSTILE_SECRET",
    );
    expect(entry.message).toContain("wrangler secret put PALISADE_ADMIN_TOKEN");
    expect(entry.message).toContain("PALISADE_ENV=local");
  });

  it("refuses one example secret alone, and serves once the secrets are real", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const one = worker({ PALISADE_ENV: "production", CLEARANCE_KEY: EXAMPLE.CLEARANCE_KEY });
    expect((await visit(one, "/", { ip: "198.51.100.5" })).status).toBe(503);
    const real = worker({
      PALISADE_ENV: "production",
      CLEARANCE_KEY: "a-real-long-random-clearance-key",
      TURNSTILE_SITEKEY: "0x4AAAAAAABkMYinukE8nzY",
    });
    expect((await visit(real, "/", { ip: "198.51.100.5" })).status).toBe(201);
  });
});

describe("with PALISADE_ENV=local", () => {
  it("serves, warning once per isolate", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const w = worker({ ...EXAMPLE, PALISADE_ENV: "local" });
    expect((await visit(w, "/", { ip: "198.51.100.5" })).status).toBe(201);
    expect((await visit(w, "/_palisade/v1/health", {})).status).toBe(200);
    const warned = warn.mock.calls.filter((c) => c[0] === "palisade.config.unsafe");
    expect(warned).toHaveLength(1);
  });
});
