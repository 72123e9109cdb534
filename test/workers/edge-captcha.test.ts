import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { configOf, varsWith } from "../../src/config";
import { CLEARANCE_COOKIE, signClearance } from "../../src/edge/clearance";
import {
  decision,
  edgeApp,
  probeKv,
  SECRET,
  SITEKEY,
  seed,
  stubNetwork,
  TEST_VARS,
  visit,
} from "./edge-support";

const VISITOR = "203.0.113.50";
const OTHER = "203.0.113.51";
const V6 = "2001:db8:7:8::1";
const VERIFY = "/_palisade/v1/captcha/verify";

let net: ReturnType<typeof stubNetwork>;
let app: ReturnType<typeof edgeApp>;
beforeAll(async () => {
  await seed(env.BLOCKLIST, 1, [
    decision("captcha", "Range", "203.0.113.0/24"),
    decision("captcha", "Range", "2001:db8::/32"),
  ]);
});
beforeEach(() => {
  net = stubNetwork();
  app = edgeApp(probeKv().kv);
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

function solve(ip: string, token: string, returnTo = "/shop?item=3") {
  return visit(app, VERIFY, {
    ip,
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ "cf-turnstile-response": token, return: returnTo }).toString(),
  });
}

function cookieOf(res: Response): string {
  const set = res.headers.get("Set-Cookie") ?? "";
  return set.split(";")[0] as string;
}

describe("captcha", () => {
  it("challenges, verifies server-side, sets a clearance cookie, then lets the visitor through", async () => {
    const page = await visit(app, "/shop?item=3", { ip: VISITOR, accept: "text/html" });
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain(`data-sitekey="${SITEKEY}"`);
    expect(html).toContain(`action="${VERIFY}"`);
    expect(html).toContain('name="return" value="/shop?item=3"');
    expect(html).toContain("challenges.cloudflare.com/turnstile/v0/api.js");
    expect(net.origin).toHaveLength(0);

    const solved = await solve(VISITOR, "pass");
    expect(solved.status).toBe(303);
    expect(solved.headers.get("Location")).toBe("/shop?item=3");
    const setCookie = solved.headers.get("Set-Cookie") ?? "";
    expect(setCookie).toMatch(new RegExp(`^${CLEARANCE_COOKIE}=\\d+\\.[A-Za-z0-9_-]{43}; `));
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("Secure");
    expect(setCookie).toContain("Max-Age=3600");
    expect(net.siteverify).toHaveLength(1);
    expect(net.siteverify[0]?.get("secret")).toBe(SECRET);
    expect(net.siteverify[0]?.get("response")).toBe("pass");
    expect(net.siteverify[0]?.get("remoteip")).toBe(VISITOR);

    const through = await visit(app, "/shop?item=3", {
      ip: VISITOR,
      headers: { Cookie: `theme=dark; ${cookieOf(solved)}` },
    });
    expect(through.status).toBe(201);
    expect(net.origin).toHaveLength(1);
    expect(net.siteverify).toHaveLength(1);
  });

  it("answers JSON clients with a captcha_required error", async () => {
    const res = await visit(app, "/api", { ip: VISITOR, accept: "application/json" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "captcha_required" } });
  });

  it("rejects a token siteverify refuses, with no cookie", async () => {
    const res = await solve(VISITOR, "forged-token");
    expect(res.status).toBe(403);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(await res.text()).toContain("could not be verified");
  });

  it("rejects a cookie from another address", async () => {
    const solved = await solve(VISITOR, "pass");
    const res = await visit(app, "/", { ip: OTHER, headers: { Cookie: cookieOf(solved) } });
    expect(res.status).toBe(403);
  });

  it("binds an IPv6 clearance to the /64", async () => {
    const solved = await solve(V6, "pass");
    const cookie = { Cookie: cookieOf(solved) };
    expect((await visit(app, "/", { ip: "2001:db8:7:8:ffff::2", headers: cookie })).status).toBe(
      201,
    );
    expect((await visit(app, "/", { ip: "2001:db8:7:9::1", headers: cookie })).status).toBe(403);
  });

  it("rejects forged and expired cookies", async () => {
    const solved = await solve(VISITOR, "pass");
    const good = cookieOf(solved);
    const [name, value] = good.split("=") as [string, string];
    const [expiry, mac] = value.split(".") as [string, string];
    const flipped = `${mac.slice(0, 10)}${mac[10] === "A" ? "B" : "A"}${mac.slice(11)}`;
    const laterExpiry = `${Number(expiry) + 86_400}.${mac}`;
    for (const forged of [`${expiry}.${flipped}`, laterExpiry, "9999999999.x", "", "garbage"]) {
      const res = await visit(app, "/", { ip: VISITOR, headers: { Cookie: `${name}=${forged}` } });
      expect(res.status, forged).toBe(403);
    }
    const cfg = configOf(varsWith(env, TEST_VARS));
    const expired = await signClearance(cfg, VISITOR, Date.now() - 7200_000, 3600);
    const res = await visit(app, "/", { ip: VISITOR, headers: { Cookie: `${name}=${expired}` } });
    expect(res.status).toBe(403);
    // The same signer with a live expiry passes: the rejection above is the expiry's doing.
    const live = await signClearance(cfg, VISITOR, Date.now(), 3600);
    expect(
      (await visit(app, "/", { ip: VISITOR, headers: { Cookie: `${name}=${live}` } })).status,
    ).toBe(201);
  });

  it("a cookie signed with another key is rejected", async () => {
    const other = configOf(varsWith(env, { ...TEST_VARS, CLEARANCE_KEY: "someone-elses-key" }));
    const value = await signClearance(other, VISITOR, Date.now());
    const res = await visit(app, "/", {
      ip: VISITOR,
      headers: { Cookie: `${CLEARANCE_COOKIE}=${value}` },
    });
    expect(res.status).toBe(403);
  });

  it("a clearance does not lift a ban", async () => {
    const solved = await solve(VISITOR, "pass");
    await seed(env.BLOCKLIST, 2, [decision("ban", "Ip", VISITOR)]);
    const fresh = edgeApp(probeKv().kv);
    const res = await visit(fresh, "/", { ip: VISITOR, headers: { Cookie: cookieOf(solved) } });
    expect(res.status).toBe(403);
    await seed(env.BLOCKLIST, 3, [
      decision("captcha", "Range", "203.0.113.0/24"),
      decision("captcha", "Range", "2001:db8::/32"),
    ]);
  });

  it("never redirects off-site", async () => {
    for (const target of ["//evil.example/x", "https://evil.example/", "/\\evil.example", "nope"]) {
      const res = await solve(VISITOR, "pass", target);
      expect(res.status).toBe(303);
      expect(res.headers.get("Location")).toBe("/");
    }
  });

  it("asks again when the form carries no token", async () => {
    const res = await visit(app, VERIFY, {
      ip: VISITOR,
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "return=%2Fa",
    });
    expect(res.status).toBe(403);
    expect(net.siteverify).toHaveLength(0);
  });

  it("answers 502 when siteverify is unreachable, and 405 to a GET on the verify route", async () => {
    net.spy.mockRejectedValue(new Error("network down"));
    const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await solve(VISITOR, "pass");
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: "captcha_unavailable" } });
    expect(err).toHaveBeenCalledWith("palisade.captcha.siteverify_unreachable", expect.anything());
    const get = await visit(app, VERIFY, { ip: VISITOR });
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
  });
});
