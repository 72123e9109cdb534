import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumMissing, launch, seriousViolations } from "./support/browser";
import { type LocalWorker, root, startLocalWorker, waitFor } from "./support/worker";

// The console in a real browser (Debian's chromium through playwright-core) against the
// real Worker under wrangler dev: no page without a session, login, a replayed attack in
// the overview chart and the alert list, its evidence page with the raw lines, lifting
// its decision and the edge serving the address again, a forged cross-site form refused,
// logout; axe-core on every page; the alert notified to a local receiver through the real
// queues, signed. CONSOLE_SCREENSHOTS=1 also writes docs/console-*.png.

const why = chromiumMissing();
if (why) {
  describe("console in a real browser", () => {
    it.skip(`SKIPPED, no browser ran: ${why}`, () => {});
  });
} else {
  describe("console in a real browser", { timeout: 120_000 }, inBrowser);
}

const ATTACKER = "45.155.205.91";
const SECRET = "browser-test-secret-0123456789";

function sshLines(ip: string): string[] {
  const t0 = Date.now() - 30_000;
  return Array.from({ length: 12 }, (_, k) => {
    const t = new Date(t0 + k * 1000).toISOString().slice(0, 19);
    return `${t}+00:00 web-01 sshd[${6000 + k}]: Failed password for root from ${ip} port ${42000 + k} ssh2`;
  });
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const srv = createServer(handler);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return srv;
}

const portOf = (s: Server) => (s.address() as AddressInfo).port;

function inBrowser() {
  let w: LocalWorker;
  let origin: Server;
  let forger: Server;
  let receiver: Server;
  const received: { signature: string; body: string }[] = [];
  let browser: Browser;
  let page: Page;
  let alertUrl = "";
  const console = () => `${w.base}/_palisade/console`;

  beforeAll(async () => {
    origin = await listen((_req, res) => res.end("the origin"));
    receiver = await listen((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        received.push({ signature: String(req.headers["x-palisade-signature"]), body });
        res.end("ok");
      });
    });
    // A signed notification channel for the ssh profile, sent at once to a local receiver.
    const channel = `{type: signed, name: siem, url: "http://127.0.0.1:${portOf(receiver)}/hook", secret: "${SECRET}", group_wait: 0s, group_threshold: 1, profiles: [palisade/ssh]}`;
    w = await startLocalWorker({
      vars: {
        ORIGIN_URL: `http://127.0.0.1:${portOf(origin)}`,
        BLOCKLIST_REFRESH_MS: "300",
        PALISADE_NOTIFICATIONS: channel,
      },
    });
    browser = await launch();
    page = await (
      await browser.newContext({ bypassCSP: false, viewport: { width: 1000, height: 720 } })
    ).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await w?.stop();
    origin?.close();
    forger?.close();
    receiver?.close();
  });

  const visitor = async (ip: string) =>
    (await fetch(`${w.base}/`, { headers: { "CF-Connecting-IP": ip } })).status;

  it("serves no page but the login form without a session", async () => {
    for (const path of ["/", "/alerts", "/decisions", "/metrics"]) {
      await page.goto(`${console()}${path}`);
      expect(new URL(page.url()).pathname).toBe("/_palisade/console/login");
      await expect(page.locator('input[type="password"]').count()).resolves.toBe(1);
    }
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("logs in with the admin token; a replayed attack shows in the chart and the list", async () => {
    await page.fill('input[type="password"]', w.adminToken);
    // Back to the page asked for before the login form (the last one tried above).
    await Promise.all([
      page.waitForURL(/\/console\/metrics$/),
      page.press('input[type="password"]', "Enter"),
    ]);
    await page.goto(`${console()}/?window=1h`);
    const total = async () =>
      (await page.locator('[data-chart="activity"]').getAttribute("data-total"))
        ?.split(",")
        .map(Number) ?? [];
    const before = await total();
    const res = await fetch(`${w.base}/_palisade/v1/ingest`, {
      method: "POST",
      headers: { authorization: `Bearer ${w.machineToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        batch_id: `browser-${Date.now()}`,
        source: { type: "syslog", name: "/var/log/auth.log", labels: { host: "web-01" } },
        lines: sshLines(ATTACKER),
      }),
    });
    expect(res.status).toBe(200);
    await page.goto(`${console()}/?window=1h`);
    const after = await total();
    expect(after[0]).toBeGreaterThan(before[0] ?? 0);
    expect(after[1]).toBeGreaterThan(before[1] ?? 0);
    await expect(page.locator("svg rect.s0").count()).resolves.toBeGreaterThan(0);
    if (process.env.CONSOLE_SCREENSHOTS)
      await page.screenshot({ path: join(root, "docs/console-overview.png") });
    await page.getByRole("link", { name: "Alerts", exact: true }).click();
    await expect(page.getByRole("link", { name: ATTACKER }).count()).resolves.toBeGreaterThan(0);
  });

  it("notifies the signed channel: the local receiver gets the alert and checks the signature", async () => {
    const got = await waitFor("the notification", async () => received[0], 20_000);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(got.signature) ?? [];
    const expected = createHmac("sha256", SECRET).update(`${t}.${got.body}`).digest("hex");
    expect(v1).toBe(expected);
    const body = JSON.parse(got.body) as {
      channel: string;
      alerts: { source: { value: string } }[];
    };
    expect(body.channel).toBe("siem");
    expect(body.alerts.map((a) => a.source.value)).toContain(ATTACKER);
  });

  it("opens the alert's evidence: machine, labels and the raw lines", async () => {
    await Promise.all([
      page.waitForURL(/\/alerts\/\d+$/),
      page.getByRole("link", { name: ATTACKER }).first().click(),
    ]);
    alertUrl = page.url();
    const evidence = page.locator("pre.raw", {
      hasText: `Failed password for root from ${ATTACKER} port 420`,
    });
    await expect(evidence.count()).resolves.toBeGreaterThan(0);
    const body = await page.textContent("main");
    expect(body).toContain("/var/log/auth.log");
    expect(body).toContain("host=web-01");
    expect(body).toContain("bootstrap");
    if (process.env.CONSOLE_SCREENSHOTS) {
      await page
        .getByRole("heading", { name: "Where the lines came from" })
        .scrollIntoViewIfNeeded();
      await page.mouse.wheel(0, -60);
      await page.screenshot({ path: join(root, "docs/console-alert.png") });
    }
  });

  it("refuses a forged form from another site and changes nothing", async () => {
    await waitFor("the edge to ban the attacker", async () =>
      (await visitor(ATTACKER)) === 403 ? true : undefined,
    );
    const liftAction = await page.locator('form[action*="/lift"]').first().getAttribute("action");
    expect(liftAction).toMatch(/\/decisions\/\d+\/lift$/);
    forger = await listen((_req, res) => {
      res.setHeader("Content-Type", "text/html");
      res.end(
        `<form id="f" method="post" action="${w.base}${liftAction}"><input name="back" value=""></form><script>document.getElementById("f").submit()</script>`,
      );
    });
    const other = await browser.newPage();
    await Promise.all([
      other.waitForURL(/\/lift$/),
      other.goto(`http://127.0.0.1:${portOf(forger)}/`),
    ]);
    expect(await other.textContent("body")).toMatch(
      /did not come from this console session|log in again/,
    );
    await other.close();
    expect(await visitor(ATTACKER)).toBe(403);
  });

  it("lifts its decisions (one click, then the rest in bulk) and the edge serves the address again", async () => {
    await page.goto(alertUrl);
    await Promise.all([
      page.waitForURL(/done=lifted/),
      page
        .getByRole("button", { name: /^Lift decision/ })
        .first()
        .click(),
    ]);
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/1 decision\(s\) lifted/);
    // ssh-bf and ssh-slow-bf both fired: the rest go in bulk from the decisions page.
    await page.goto(`${console()}/decisions?value=${ATTACKER}`);
    const boxes = page.getByRole("checkbox", {
      name: new RegExp(`on ${ATTACKER.replaceAll(".", "\\.")}$`),
    });
    for (const box of await boxes.all()) await box.check();
    await Promise.all([
      page.waitForURL(/done=lifted/),
      page.getByRole("button", { name: "Lift the selected decisions" }).click(),
    ]);
    await waitFor("the edge to let the attacker through", async () =>
      (await visitor(ATTACKER)) === 200 ? true : undefined,
    );
  });

  it("has no serious accessibility violation on any page", async () => {
    const pages = [
      "/",
      "/alerts",
      alertUrl,
      `/ip/${ATTACKER}`,
      "/decisions",
      "/allowlist",
      "/scenarios",
      "/credentials",
      "/metrics",
      "/sessions",
    ];
    const problems: string[] = [];
    for (const p of pages) {
      await page.goto(p.startsWith("http") ? p : `${console()}${p}`);
      for (const v of await seriousViolations(page)) problems.push(`${p}: ${v}`);
    }
    expect(problems).toEqual([]);
  });

  it("logs out: the console is closed again", async () => {
    await Promise.all([
      page.waitForURL(/\/login$/),
      page.getByRole("button", { name: "Log out" }).click(),
    ]);
    await page.goto(`${console()}/alerts`);
    expect(new URL(page.url()).pathname).toBe("/_palisade/console/login");
    expect(await page.content()).not.toContain(ATTACKER);
  });
}
