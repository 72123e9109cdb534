import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { apiRoutes, isAdminRequest } from "../../src/api/index";
import { createWorker } from "../../src/app";
import { FAILURES } from "../../src/http/credential-guard";
import { ingestRoutes } from "../../src/ingest/index";
import { ADMIN_TOKEN, adminOk, newBouncer } from "./api-support";
import { decision, probeKv, seed, stubNetwork, TEST_VARS } from "./edge-support";
import { batch, TOKEN } from "./ingest-support";

/**
 * Issue 10, item 7: unauthenticated guesses must not each cost a call to the one Ledger
 * Durable Object, and Palisade's own routes sit behind the edge's decisions (a banned
 * address gets no ingest, no API, no login) but for an operator recovering with the
 * admin token and the captcha verify route.
 */

const API = "https://example.com/_palisade/v1";

/** The env with a Ledger namespace that counts the RPC calls made on its stubs. */
function countingEnv(): { env: typeof env; calls: string[] } {
  const calls: string[] = [];
  const ns = env.LEDGER;
  const LEDGER = {
    idFromName: (name: string) => ns.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = ns.get(id);
      return new Proxy(stub, {
        get(target, prop) {
          const value = Reflect.get(target, prop);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            calls.push(String(prop));
            return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
          };
        },
      });
    },
  } as unknown as typeof env.LEDGER;
  return { env: { ...env, LEDGER }, calls };
}

function worker(kv: KVNamespace = probeKv().kv) {
  return createWorker({
    routes: [ingestRoutes, apiRoutes],
    palisade: { kv: () => kv, vars: TEST_VARS },
    ownRouteExemption: isAdminRequest,
  });
}

async function call(
  w: ReturnType<typeof worker>,
  e: typeof env,
  path: string,
  init: RequestInit & { ip: string },
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("CF-Connecting-IP", init.ip);
  const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} };
  return w.fetch(new Request(`${API}${path}`, { ...init, headers }), e, ctx as never);
}

let net: ReturnType<typeof stubNetwork>;
beforeEach(async () => {
  net = stubNetwork();
  await seed(env.BLOCKLIST, 1, []);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("guessing credentials", () => {
  it("asks the Ledger once about a wrong bouncer key, machine token or watcher password", async () => {
    const w = worker();
    const { env: e, calls } = countingEnv();
    for (let i = 0; i < 5; i++) {
      const res = await call(w, e, "/decisions/stream", {
        ip: "198.51.100.61",
        headers: { "X-Api-Key": "a-guessed-key" },
      });
      expect(res.status).toBe(403);
      const ingest = await call(w, e, "/ingest", {
        ip: "198.51.100.61",
        method: "POST",
        headers: { Authorization: "Bearer a-guessed-token", "Content-Type": "application/json" },
        body: JSON.stringify(batch(["x"])),
      });
      expect(ingest.status).toBe(403);
      const login = await call(w, e, "/watchers/login", {
        ip: "198.51.100.61",
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ machine_id: "web-01", password: "guess" }),
      });
      expect(login.status).toBe(401);
    }
    expect(calls.filter((c) => c === "pull")).toHaveLength(1);
    expect(calls.filter((c) => c === "authenticate")).toHaveLength(1);
    expect(calls.filter((c) => c === "login")).toHaveLength(1);
  });

  it("answers 429 past the per-address failure budget without asking the Ledger, others unaffected", async () => {
    const w = worker();
    const { env: e, calls } = countingEnv();
    const guess = (ip: string, i: number) =>
      call(w, e, "/decisions", { ip, headers: { "X-Api-Key": `guess-${ip}-${i}` } });
    const statuses: number[] = [];
    for (let i = 0; i < FAILURES + 10; i++) statuses.push((await guess("198.51.100.62", i)).status);
    expect(statuses.slice(0, FAILURES).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(FAILURES).every((s) => s === 429)).toBe(true);
    expect(calls.filter((c) => c === "pull")).toHaveLength(FAILURES);
    const late = await guess("198.51.100.62", 999);
    expect(late.status).toBe(429);
    expect(Number(late.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe(
      "too_many_failures",
    );
    // An IPv6 attacker's whole /64 shares one budget; another address is still asked.
    for (let i = 0; i < FAILURES; i++) await guess(`2001:db8:9:9::${i.toString(16)}`, i);
    expect((await guess("2001:db8:9:9:ffff::1", 0)).status).toBe(429);
    expect((await guess("198.51.100.63", 0)).status).toBe(403);
    // A valid key from elsewhere is served as ever.
    const key = await newBouncer();
    const ok = await call(w, e, "/decisions", {
      ip: "198.51.100.64",
      headers: { "X-Api-Key": key },
    });
    expect(ok.status).toBe(200);
  });
});

describe("Palisade's own routes behind the edge's decisions", () => {
  const BANNED = "203.0.113.10";
  const CAPTCHA = "203.0.113.11";

  /** A Worker whose isolate holds the blocklist: a visitor's request has loaded it. */
  async function seeded() {
    await seed(env.BLOCKLIST, 2, [
      decision("ban", "Ip", BANNED),
      decision("captcha", "Ip", CAPTCHA),
    ]);
    const w = worker(env.BLOCKLIST);
    const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} };
    const visitor = new Request("https://example.com/", {
      headers: { "CF-Connecting-IP": "198.51.100.71" },
    });
    expect((await w.fetch(visitor, env, ctx as never)).status).toBe(201);
    return w;
  }

  it("gives a banned address no ingest, no API, no login and no health, without a Ledger call", async () => {
    const w = await seeded();
    const { env: e, calls } = countingEnv();
    const json = { Accept: "application/json", "Content-Type": "application/json" };
    const tries: [string, RequestInit][] = [
      [
        "/ingest",
        {
          method: "POST",
          headers: { ...json, Authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(batch(["x"])),
        },
      ],
      ["/decisions/stream", { headers: { ...json, "X-Api-Key": await newBouncer() } }],
      [
        "/watchers/login",
        {
          method: "POST",
          headers: json,
          body: JSON.stringify({ machine_id: "bootstrap", password: TOKEN }),
        },
      ],
      ["/admin/decisions", { headers: { ...json, Authorization: "Bearer not-the-admin-token" } }],
      ["/health", { headers: json }],
    ];
    for (const [path, init] of tries) {
      const res = await call(w, e, path, { ...init, ip: BANNED });
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("banned");
    }
    expect(calls).toEqual([]);
    // A clean address is served.
    const clean = await call(w, e, "/health", { ip: "198.51.100.70" });
    expect(clean.status).toBe(200);
  });

  it("lets a banned operator in with the admin token, so the ban can be lifted", async () => {
    const w = await seeded();
    const res = await call(w, env, "/admin/decisions", {
      ip: BANNED,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
  });

  it("keeps the captcha verify route open to a captcha decision, and challenges its API calls", async () => {
    const w = await seeded();
    const api = await call(w, env, "/health", { ip: CAPTCHA, headers: { Accept: "text/html" } });
    expect(api.status).toBe(403);
    expect(await api.text()).toContain("cf-turnstile");
    const verify = await call(w, env, "/captcha/verify", {
      ip: CAPTCHA,
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "cf-turnstile-response=pass&return=%2F_palisade%2Fv1%2Fhealth",
    });
    expect(verify.status).toBe(303);
    expect(net.siteverify).toHaveLength(1);
    const cookie = (verify.headers.get("Set-Cookie") ?? "").split(";")[0] as string;
    const again = await call(w, env, "/health", { ip: CAPTCHA, headers: { Cookie: cookie } });
    expect(again.status).toBe(200);
  });

  it("never loads the blocklist itself: before any visitor, an isolate serves its routes", async () => {
    await seed(env.BLOCKLIST, 3, [decision("ban", "Ip", BANNED)]);
    const kv = probeKv(env.BLOCKLIST);
    const w = worker(kv.kv);
    const res = await call(w, env, "/health", { ip: BANNED });
    expect(res.status).toBe(200);
    expect(kv.reads).toEqual([]);
  });

  it("never applies the visitors' fail mode to its own routes", async () => {
    const kv = probeKv();
    kv.failing = true;
    const w = createWorker({
      routes: [ingestRoutes, apiRoutes],
      palisade: {
        kv: () => kv.kv,
        vars: { ...TEST_VARS, FAIL_MODE: "closed" },
        firstLoadTimeoutMs: 50,
      },
      ownRouteExemption: isAdminRequest,
    });
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await call(w, env, "/health", { ip: BANNED });
    expect(res.status).toBe(200);
    await adminOk("GET", "/decisions");
  });
});
