import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminAlert, AdminAlertDetail, AdminDecision } from "../../src/contract/admin";
import { cliJson, ingestBody, LOG4SHELL_PATH, nginxLine, runCli } from "../e2e/support/cli";
import { type LocalWorker, startLocalWorker, waitFor } from "../e2e/support/worker";

// `palisade decisions …` and `palisade alerts …` against the real Worker under wrangler dev.

let w: LocalWorker;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, { env });
const json = <T>(...args: string[]) => cliJson<T>(args, { env });

beforeAll(async () => {
  w = await startLocalWorker();
  env = { PALISADE_URL: w.base, PALISADE_TOKEN: w.adminToken };
}, 90_000);
afterAll(async () => {
  await w?.stop();
});

/** `n` ban decisions in one alert, as a CrowdSec agent pushes them (watcher API). */
async function pushDecisions(n: number): Promise<void> {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${w.base}/_palisade/v1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const agent = await json<{ name: string; token: string }>(
    "machines",
    "add",
    `agent-${n}-${Date.now()}`,
  );
  const login = await post("/watchers/login", {
    machine_id: agent.name,
    password: agent.token,
  });
  const { token } = (await login.json()) as { token: string };
  const decisions = Array.from({ length: n }, (_, i) => ({
    origin: "crowdsec",
    type: "ban",
    scope: "Ip",
    value: `11.0.${i >> 8}.${i & 255}`,
    duration: "1h",
    scenario: "test/many",
  }));
  const alert = { scenario: "test/many", source: { scope: "Ip", value: "11.0.0.0" }, decisions };
  const res = await post("/alerts", [alert], { authorization: `Bearer ${token}` });
  expect(res.status).toBe(201);
}

/** Data rows of a human table (after the header and its rule). */
function rows(stdout: string): string[] {
  return stdout.trimEnd().split("\n").slice(2);
}

describe("palisade decisions", { timeout: 120_000 }, () => {
  it("adds, lists (table and JSON), filters and deletes decisions", async () => {
    const ban = await cli(
      "decisions",
      "add",
      "--ip",
      "203.0.113.7",
      "--type",
      "ban",
      "--duration",
      "1h",
    );
    expect(ban.status, ban.stderr).toBe(0);
    const m =
      /^Decision (\d+) added: ban on Ip:203\.0\.113\.7 for (1h0m0s|59m5\ds) \(origin cscli, alert (\d+)\)\.$/.exec(
        ban.stdout.trim(),
      );
    expect(m, ban.stdout).not.toBeNull();
    const banId = Number(m?.[1]);

    const range = await json<{ decision: AdminDecision; alert_id: number }>(
      "decisions",
      "add",
      "--range",
      "198.51.100.0/24",
      "--type",
      "captcha",
      "--duration",
      "30m",
      "--reason",
      "manual test",
    );
    expect(range.decision).toMatchObject({
      scope: "Range",
      value: "198.51.100.0/24",
      type: "captcha",
      origin: "cscli",
      scenario: "manual test",
      active: true,
    });
    const country = await json<{ decision: AdminDecision }>(
      "decisions",
      "add",
      "--scope",
      "country",
      "--value",
      "fr",
    );
    expect(country.decision).toMatchObject({
      scope: "Country",
      value: "FR",
      duration: expect.stringMatching(/^(4h0m0s|3h59m5\ds)$/),
    });

    const table = await cli("decisions", "list");
    expect(table.status).toBe(0);
    const [header, rule] = table.stdout.split("\n");
    expect(header).toMatch(
      /^ID\s+SCOPE:VALUE\s+REASON\s+ACTION\s+ORIGIN\s+EXPIRES IN\s+ALERT\s+CREATED$/,
    );
    expect(rule).toMatch(/^─+( +─+)+$/);
    const body = rows(table.stdout);
    expect(body).toHaveLength(3);
    // Newest first; each row names its value, reason, action and origin.
    expect(body[0]).toMatch(
      new RegExp(
        `^${country.decision.id}\\s+Country:FR\\s+manual 'ban' from 'admin'\\s+ban\\s+cscli\\s`,
      ),
    );
    expect(body[1]).toMatch(
      /Range:198\.51\.100\.0\/24\s+manual test\s+captcha\s+cscli\s+(30m0s|29m5\ds)\s/,
    );
    expect(body[2]).toMatch(new RegExp(`^${banId}\\s+Ip:203\\.0\\.113\\.7\\s`));

    const all = await json<AdminDecision[]>("decisions", "list");
    expect(all.map((d) => d.id)).toEqual([country.decision.id, range.decision.id, banId]);
    // --ip matches the IP's own decision and the ranges containing it.
    const inRange = await json<AdminDecision[]>("decisions", "list", "--ip", "198.51.100.20");
    expect(inRange.map((d) => d.id)).toEqual([range.decision.id]);
    const captchas = await json<AdminDecision[]>("decisions", "list", "--type", "captcha");
    expect(captchas.map((d) => d.id)).toEqual([range.decision.id]);

    const del = await cli("decisions", "delete", "--ip", "203.0.113.7");
    expect(del.status).toBe(0);
    expect(del.stdout.trim()).toBe(`1 decision(s) deleted: ${banId}.`);
    expect((await json<AdminDecision[]>("decisions", "list")).map((d) => d.id)).not.toContain(
      banId,
    );
    const ended = (await json<AdminDecision[]>("decisions", "list", "--all")).find(
      (d) => d.id === banId,
    );
    expect(ended).toMatchObject({ active: false, deleted_reason: "deleted" });
    const endedRow = rows((await cli("decisions", "list", "--all")).stdout).find((r) =>
      r.startsWith(`${banId} `),
    );
    expect(endedRow).toMatch(/\sdeleted\s/);

    const byId = await json<{ deleted: number; ids: number[] }>(
      "decisions",
      "delete",
      "--id",
      String(range.decision.id),
    );
    expect(byId).toEqual({ deleted: 1, ids: [range.decision.id] });
    const again = await cli("decisions", "delete", "--id", String(range.decision.id));
    expect(again.stdout.trim()).toBe(`Decision ${range.decision.id} had already ended.`);

    const none = await cli("decisions", "delete", "--ip", "192.0.2.200");
    expect(none.stdout.trim()).toBe("No active decision matched.");
    const rest = await json<{ deleted: number }>("decisions", "delete", "--all");
    expect(rest.deleted).toBe(1);
    expect((await cli("decisions", "list")).stdout.trim()).toBe("No active decisions.");
  });

  it("stops at --limit and says more exist; --limit 0 lists every one", async () => {
    for (const ip of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) {
      expect((await cli("decisions", "add", "--ip", ip)).status).toBe(0);
    }
    const two = await cli("decisions", "list", "--limit", "2");
    expect(rows(two.stdout)).toHaveLength(2);
    expect(two.stderr).toMatch(/first 2 shown: --limit N for more, --limit 0 for all/);
    const every = await json<AdminDecision[]>("decisions", "list", "--limit", "0");
    expect(every.map((d) => d.value)).toEqual(["192.0.2.3", "192.0.2.2", "192.0.2.1"]);
    const exact = await cli("decisions", "list", "--limit", "3");
    expect(rows(exact.stdout)).toHaveLength(3);
    expect(exact.stderr).toBe("");
    await json("decisions", "delete", "--all");
  });

  it("walks the API's pages (1,000 rows each) for long lists", async () => {
    await pushDecisions(1005);
    const all = await json<AdminDecision[]>("decisions", "list", "--limit", "0");
    expect(all).toHaveLength(1005);
    expect(new Set(all.map((d) => d.id)).size).toBe(1005);
    const some = await runCli(["decisions", "list", "--limit", "1002", "-o", "json"], { env });
    expect(JSON.parse(some.stdout)).toHaveLength(1002);
    expect(some.stderr).toMatch(/first 1002 shown/);
    expect((await json<{ deleted: number }>("decisions", "delete", "--all")).deleted).toBe(1005);
  });
});

describe("palisade alerts", { timeout: 120_000 }, () => {
  it("lists and inspects a detection from ingest and the alerts of manual decisions", async () => {
    const attacker = "203.0.113.66";
    const res = await fetch(`${w.base}/_palisade/v1/ingest`, {
      method: "POST",
      headers: { authorization: `Bearer ${w.machineToken}`, "content-type": "application/json" },
      body: ingestBody("alerts-1", [nginxLine(attacker, LOG4SHELL_PATH)], { host: "web-07" }),
    });
    expect(res.status).toBe(200);
    const [detected] = await waitFor("the Log4Shell alert", async () => {
      const list = await json<AdminAlert[]>("alerts", "list", "--ip", attacker);
      return list.length > 0 ? list : undefined;
    });
    expect(detected).toMatchObject({
      scenario: "palisade/cve-2021-44228-log4shell",
      scope: "Ip",
      value: attacker,
      machine: "palisade",
      allowlisted: false,
    });
    expect(detected?.decisions.map((d) => [d.type, d.origin, d.active])).toEqual([
      ["ban", "palisade", true],
    ]);
    await json("decisions", "add", "--ip", "192.0.2.77", "--type", "captcha");

    const table = await cli("alerts", "list");
    expect(table.stdout.split("\n")[0]).toMatch(
      /^ID\s+SCOPE:VALUE\s+REASON\s+DECISIONS\s+EVENTS\s+MACHINE\s+CREATED$/,
    );
    const body = rows(table.stdout);
    expect(body[0]).toMatch(
      /Ip:192\.0\.2\.77\s+manual 'captcha' from 'admin'\s+captcha:1\s+1\s+admin\s/,
    );
    const row = body.find((r) => r.startsWith(`${detected?.id} `));
    expect(row).toMatch(
      /Ip:203\.0\.113\.66\s+palisade\/cve-2021-44228-log4shell\s+ban:1\s+1\s+palisade\s/,
    );

    const bySubstring = await json<AdminAlert[]>("alerts", "list", "--scenario", "LOG4SHELL");
    expect(bySubstring.map((a) => a.id)).toEqual([detected?.id]);
    const manual = await json<AdminAlert[]>(
      "alerts",
      "list",
      "--origin",
      "cscli",
      "--has-active-decision",
    );
    expect(manual.map((a) => a.value)).toEqual(["192.0.2.77"]);

    const detail = await json<AdminAlertDetail>("alerts", "inspect", String(detected?.id));
    expect(detail.events[0]?.meta).toMatchObject({
      source_ip: attacker,
      log_type: "http_access-log",
    });
    expect(detail.labels).toMatchObject({ remediation: true });
    const human = await cli("alerts", "inspect", String(detected?.id));
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^ID:\s+\d+$/m);
    expect(human.stdout).toMatch(/^Scenario:\s+palisade\/cve-2021-44228-log4shell$/m);
    expect(human.stdout).toMatch(/^Source:\s+Ip:203\.0\.113\.66$/m);
    expect(human.stdout).toMatch(
      /^Decisions:\n.*\n─.*\n\d+\s+Ip:203\.0\.113\.66\s+palisade\/cve-2021-44228-log4shell\s+ban\s+palisade\s/m,
    );
    expect(human.stdout).toMatch(/^Events \(1 kept\):\n.*\n.*\n.*source_ip=203\.0\.113\.66/m);
    // Where the line came from and the line itself (issue 10, item 21).
    expect(human.stdout).toMatch(
      /^Sent by:\n.*\n.*\nbootstrap\s+ingest\s+host=web-07,type=nginx\s+1$/m,
    );
    expect(human.stdout).toContain(`Log lines (1 kept, oldest first):\n  ${detail.events[0]?.raw}`);
    expect(detail.events[0]?.raw).toContain(`${attacker} - - [`);
    await json("decisions", "delete", "--all");
  });
});
