import { describe, expect, it } from "vitest";
import { adminDecisionSchema } from "../../src/contract/admin";
import { admin, adminOk, ban } from "./api-support";
import { Browser, CONSOLE, hidden, setCookies } from "./console-support";
import { failedSsh, postIngest } from "./ingest-support";

const PAGES = [
  "/",
  "/alerts",
  "/alerts/1",
  "/ip/203.0.113.9",
  "/decisions",
  "/allowlist",
  "/scenarios",
  "/credentials",
  "/metrics",
  "/sessions",
  "/nope",
];

describe("console: no session, no page", () => {
  it("sends every page to the login form, which shows no data", async () => {
    const b = new Browser();
    for (const p of PAGES) {
      const res = await b.get(p);
      expect(res.status, p).toBe(303);
      expect(res.headers.get("Location")).toMatch(/^\/_palisade\/console\/login\?next=/);
    }
    const login = await b.get("/login");
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('type="password"');
    expect(html).not.toContain("Overview");
    expect(login.headers.get("Content-Security-Policy")).toMatch(/default-src 'none'/);
    expect(login.headers.get("X-Frame-Options")).toBe("DENY");
  });

  it("refuses a POST without a session and changes nothing", async () => {
    const d = await ban("203.0.113.60");
    const res = await new Browser().post(`/decisions/${d.id}/lift`, { _csrf: "x" });
    expect(res.status).toBe(401);
    expect(adminDecisionSchema.parse(await adminOk("GET", `/decisions/${d.id}`)).active).toBe(true);
  });
});

describe("console login and sessions", () => {
  it("a wrong token is refused; the right one gives an HttpOnly, Secure, SameSite=Strict cookie", async () => {
    const b = new Browser();
    expect((await b.login("not-the-token")).status).toBe(401);
    expect(b.cookies.has("palisade_console")).toBe(false);
    const res = await b.login();
    expect(res.status).toBe(303);
    const cookie = setCookies(res).find((c) => c.startsWith("palisade_console="));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const home = await b.get("/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Alerts and decisions over time");
  });

  it("on a loopback host over http the cookie is not Secure (wrangler dev)", async () => {
    const b = new Browser("http://127.0.0.1:8787/_palisade/console");
    const res = await b.login();
    const cookie = setCookies(res).find((c) => c.startsWith("palisade_console="));
    expect(cookie).not.toMatch(/Secure/);
    expect((await b.get("/")).status).toBe(200);
  });

  it("the login form's own token must match its cookie (login CSRF)", async () => {
    const b = new Browser();
    await b.get("/login");
    const res = await b.post("/login", { _login: "forged", token: "test-admin-token" });
    expect(res.status).toBe(403);
    expect(b.cookies.has("palisade_console")).toBe(false);
  });

  it("logout ends the session; the old cookie opens nothing", async () => {
    const b = new Browser();
    await b.login();
    const kept = new Map(b.cookies);
    const out = await b.post("/logout", { _csrf: await b.csrf() });
    expect(out.status).toBe(303);
    const replay = new Browser();
    for (const [k, v] of kept) replay.cookies.set(k, v);
    expect((await replay.get("/")).status).toBe(303);
  });

  it("a session revoked through the admin API is refused at its next request", async () => {
    const b = new Browser();
    await b.login();
    const html = await (await b.get("/sessions")).text();
    expect(html).toContain("this session");
    const res = await admin("DELETE", "/console/sessions");
    expect(res.status).toBe(200);
    expect((await b.get("/")).status).toBe(303);
  });
});

describe("console pages and actions", () => {
  it("shows an ingested attack in the overview, the alert list and its evidence page", async () => {
    const ip = "203.0.113.61";
    const lines = Array.from({ length: 8 }, (_, i) => failedSsh(ip, Date.now() + i * 1000));
    await postIngest({
      batch_id: crypto.randomUUID(),
      source: { type: "syslog", labels: { host: "web-9" } },
      lines,
    });
    const b = new Browser();
    await b.login();
    const home = await (await b.get("/?window=1h")).text();
    expect(home).toContain(ip);
    expect(/data-total="[^"]*"/.exec(home)?.[0]).toMatch(/data-total="[1-9]\d*,[1-9]\d*"/);
    const list = await (await b.get(`/alerts?ip=${ip}`)).text();
    const id = /href="\/_palisade\/console\/alerts\/(\d+)">203\.0\.113\.61</.exec(list)?.[1];
    expect(id).toBeDefined();
    const page = await (await b.get(`/alerts/${id}`)).text();
    expect(page).toContain(`Failed password for root from ${ip} port 40022 ssh2`);
    expect(page).toContain("host=web-9");
    expect(page).toContain("bootstrap");
    for (const p of PAGES.slice(0, -1)) expect((await b.get(p)).status, p).toBe(200);
  });

  it("lifts a decision with the session's CSRF token; a forged or cross-site form changes nothing", async () => {
    const d = await ban("203.0.113.62");
    const b = new Browser();
    await b.login();
    const csrf = await b.csrf("/decisions");
    const active = async () =>
      adminDecisionSchema.parse(await adminOk("GET", `/decisions/${d.id}`)).active;
    expect((await b.post(`/decisions/${d.id}/lift`, {})).status).toBe(403);
    expect((await b.post(`/decisions/${d.id}/lift`, { _csrf: "0".repeat(64) })).status).toBe(403);
    const other = await b.post(`/decisions/${d.id}/lift`, { _csrf: csrf }, "https://evil.example");
    expect(other.status).toBe(403);
    expect(await active()).toBe(true);
    const res = await b.post(`/decisions/${d.id}/lift`, { _csrf: csrf, back: "decisions" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/_palisade/console/decisions?done=lifted&n=1");
    expect(await active()).toBe(false);
  });

  it("adds, extends and bulk-lifts decisions, allowlists with a reason, shows a bouncer key once", async () => {
    const b = new Browser();
    await b.login();
    const csrf = await b.csrf();
    const add = await b.post("/decisions", {
      _csrf: csrf,
      value: "203.0.113.63",
      scope: "Ip",
      type: "ban",
      duration: "1h",
    });
    expect(add.status).toBe(303);
    const [d] = (
      await adminOk<{ decisions: { id: number }[] }>("GET", "/decisions?ip=203.0.113.63")
    ).decisions;
    const ext = await b.post(`/decisions/${d?.id}/extend`, { _csrf: csrf, duration: "24h" });
    expect(ext.status).toBe(303);
    const both = (
      await adminOk<{ decisions: { id: number; duration: string }[] }>(
        "GET",
        "/decisions?ip=203.0.113.63",
      )
    ).decisions;
    expect(both).toHaveLength(2);
    expect(both[0]?.duration).toMatch(/^(24h0m0s|23h59m)/);
    const bad = await b.post("/decisions", {
      _csrf: csrf,
      value: "203.0.113.63",
      scope: "Ip",
      type: "ban",
      duration: "soon",
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("duration");
    const lift = await b.post("/decisions/lift", {
      _csrf: csrf,
      id: both.map((x) => String(x.id)),
    });
    expect(lift.headers.get("Location")).toContain("n=2");
    const allow = await b.post("/allowlist", {
      _csrf: csrf,
      value: "203.0.113.64",
      reason: "our monitoring",
    });
    expect(allow.status).toBe(303);
    expect(await (await b.get("/allowlist")).text()).toContain("our monitoring");
    const created = await b.post("/credentials/bouncers", { _csrf: csrf, name: "console-fw" });
    expect(created.status).toBe(201);
    const key = /data-secret="bouncer">([0-9a-f]{64})</.exec(await created.text())?.[1];
    expect(key).toBeDefined();
    expect(await (await b.get("/credentials")).text()).not.toContain(key as string);
  });

  it("never redirects an action outside the console", async () => {
    const d = await ban("203.0.113.65");
    const b = new Browser();
    await b.login();
    const res = await b.post(`/decisions/${d.id}/lift`, {
      _csrf: await b.csrf(),
      back: "//evil.example/x",
    });
    expect(res.headers.get("Location")).toMatch(/^\/_palisade\/console\/decisions\?/);
    expect(hidden(await (await b.get("/")).text(), "_csrf")).toMatch(/^[0-9a-f]{64}$/);
    expect(CONSOLE).toContain("/_palisade/console");
  });
});
