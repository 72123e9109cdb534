import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { Browser, CONSOLE } from "./console-support";

// Cloudflare Access in front of the console: a locally generated RSA key set, served by a
// stub of the team's certs URL; the console verifies Cf-Access-Jwt-Assertion against it.

const TEAM = "https://palisade-test.cloudflareaccess.com";
const AUD = "aud-tag-0123456789";
const accessEnv = {
  ...(env as Env),
  ACCESS_TEAM_DOMAIN: "palisade-test.cloudflareaccess.com",
  ACCESS_AUD: AUD,
  PALISADE_ENV: "production",
};

let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let strangerKeys: Awaited<ReturnType<typeof generateKeyPair>>;
let certsFetched = 0;

beforeAll(async () => {
  keys = await generateKeyPair("RS256");
  strangerKeys = await generateKeyPair("RS256");
});

function serveKeys() {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== `${TEAM}/cdn-cgi/access/certs`) return new Response("unexpected", { status: 500 });
    certsFetched++;
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    return Response.json({ keys: [jwk] });
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

async function jwt(opts: { aud?: string; iss?: string; key?: CryptoKey; exp?: string } = {}) {
  return new SignJWT({ email: "ops@example.com", type: "app" })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuedAt()
    .setIssuer(opts.iss ?? TEAM)
    .setAudience(opts.aud ?? AUD)
    .setSubject("user-1")
    .setExpirationTime(opts.exp ?? "10m")
    .sign(opts.key ?? keys.privateKey);
}

function get(b: Browser, token: string, path = "/") {
  return b.request(path, { headers: { "Cf-Access-Jwt-Assertion": token } });
}

describe("console behind Cloudflare Access", () => {
  it("a valid Access JWT opens a session named after its email", async () => {
    serveKeys();
    const b = new Browser(CONSOLE, accessEnv);
    const res = await get(b, await jwt());
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("ops@example.com");
    expect(b.cookies.has("palisade_console")).toBe(true);
    expect(certsFetched).toBeGreaterThan(0);
    // The session cookie alone carries on.
    expect((await b.get("/alerts")).status).toBe(200);
  });

  it("refuses a JWT for another application, another team, another key, or expired", async () => {
    serveKeys();
    const bad = [
      await jwt({ aud: "someone-else" }),
      await jwt({ iss: "https://evil.cloudflareaccess.com" }),
      await jwt({ key: strangerKeys.privateKey }),
      await jwt({ exp: "1s" }).then(async (t) => {
        await new Promise((r) => setTimeout(r, 2100));
        return t;
      }),
      "not.a.jwt",
    ];
    for (const token of bad) {
      const b = new Browser(CONSOLE, accessEnv);
      const res = await get(b, token);
      expect(res.status).toBe(303);
      expect(b.cookies.has("palisade_console")).toBe(false);
    }
  });

  it("with Access configured in production, the admin token does not log in", async () => {
    serveKeys();
    const b = new Browser(CONSOLE, accessEnv);
    const page = await (await b.get("/login")).text();
    expect(page).not.toContain('type="password"');
    expect(page).toContain("Cloudflare Access");
    const res = await b.post("/login", {
      _login: b.cookies.get("palisade_console_login") ?? "",
      token: "test-admin-token",
    });
    expect(res.status).toBe(403);
    expect(b.cookies.has("palisade_console")).toBe(false);
  });
});
