import type { ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliJson } from "./support/cli";
import {
  CUSTOM_BOUNCER,
  crowdsecMissing,
  type PrivateCrowdsec,
  privateCrowdsec,
  sshBurst,
  startCustomBouncer,
} from "./support/crowdsec";
import { stopGroup } from "./support/netns";
import { freePort, type LocalWorker, startLocalWorker, waitFor } from "./support/worker";

// Debian's CrowdSec 1.4.6 tools against one local Palisade (wrangler dev): cscli's
// decisions and alerts commands, the crowdsec agent pushing a detected ssh brute force,
// and crowdsec-custom-bouncer receiving add and del, with the edge's answer after each.
// Each tool has a private config under a temporary folder; /etc/crowdsec is never
// written. `.ci/run` installs crowdsec and unpacks the custom bouncer; without them the
// skipped test's name says why.

let worker: LocalWorker;
let origin: Server;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), "palisade-crowdsec-"));

/** What the edge answers the visitor `ip`: 403 banned, 200 through to the origin. */
async function edge(ip: string): Promise<number> {
  const res = await fetch(`${worker.base}/`, { headers: { "CF-Connecting-IP": ip } });
  await res.arrayBuffer();
  return res.status;
}

function edgeSays(ip: string, status: number): Promise<number> {
  return waitFor(`the edge answering ${status} to ${ip}`, async () =>
    (await edge(ip)) === status ? status : undefined,
  );
}

/** A watcher machine made with `palisade machines add`, as an operator does. */
async function watcher(name: string): Promise<{ url: string; login: string; password: string }> {
  const made = await cliJson<{ name: string; token: string }>(["machines", "add", name], { env });
  return { url: `${worker.base}/_palisade/`, login: made.name, password: made.token };
}

beforeAll(async () => {
  const port = await freePort();
  origin = createServer((_, res) => res.end("origin")).listen(port, "127.0.0.1");
  worker = await startLocalWorker({
    vars: { ORIGIN_URL: `http://127.0.0.1:${port}`, BLOCKLIST_REFRESH_MS: "200" },
  });
  env = { PALISADE_URL: worker.base, PALISADE_TOKEN: worker.adminToken };
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  origin?.close();
});

const missing = crowdsecMissing();
const cs = missing.length === 0 ? describe : describe.skip;
const csName = (what: string) =>
  missing.length === 0 ? what : `SKIPPED, ${what} did not run: ${missing.join("; ")}`;

cs(csName("cscli 1.4.6 against Palisade"), () => {
  let cs: PrivateCrowdsec;
  const ip = "198.51.100.61";

  beforeAll(async () => {
    cs = privateCrowdsec(join(dir, "cscli"), await watcher("cscli-e2e"));
  });

  it("lapi status logs in (cscli sends scenarios: null)", async () => {
    const r = await cs.cscli("lapi", "status");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("You can successfully interact with Local API (LAPI)");
  });

  it("decisions add bans at the edge; list shows it as a table and as JSON", async () => {
    const add = await cs.cscli("decisions", "add", "-i", ip, "-d", "1h", "-R", "e2e-manual");
    expect(add.status, add.stderr).toBe(0);
    expect(add.stderr).toContain("Decision successfully added");
    await edgeSays(ip, 403);
    const table = await cs.cscli("decisions", "list");
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`\\| cscli\\s+\\| Ip:${ip.replaceAll(".", "\\.")} +\\| e2e-manual +\\| ban `),
    );
    const json = await cs.cscli("decisions", "list", "-o", "json");
    const alerts = JSON.parse(json.stdout) as { decisions: Record<string, unknown>[] }[];
    expect(alerts[0]?.decisions[0]).toMatchObject({
      value: ip,
      type: "ban",
      origin: "cscli",
      simulated: false,
    });
  });

  it("alerts list and alerts inspect show the alert", async () => {
    const table = await cs.cscli("alerts", "list");
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain(`Ip:${ip}`);
    const json = await cs.cscli("alerts", "list", "-o", "json");
    const [alert] = JSON.parse(json.stdout) as { id: number }[];
    const inspect = await cs.cscli("alerts", "inspect", String(alert?.id), "-d");
    expect(inspect.status, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain(`Scope:Value: Ip:${ip}`);
    expect(inspect.stdout).toContain("Machine    : cscli-e2e");
    const one = await cs.cscli("alerts", "inspect", String(alert?.id), "-o", "json");
    expect(JSON.parse(one.stdout)).toMatchObject({ id: alert?.id, source: { value: ip } });
  });

  it("decisions delete lifts the ban at the edge", async () => {
    const del = await cs.cscli("decisions", "delete", "-i", ip);
    expect(del.status, del.stderr).toBe(0);
    expect(del.stderr).toContain("1 decision(s) deleted");
    await edgeSays(ip, 200);
    const none = await cs.cscli("decisions", "list", "-i", ip);
    expect(none.stdout).toContain("No active decisions");
  });
});

cs(csName("the crowdsec agent (-no-api) against Palisade"), () => {
  it("pushes a detected ssh brute force: banned at the edge, 4h per scenario", async () => {
    const agent = privateCrowdsec(join(dir, "agent"), await watcher("agent-e2e"));
    const attacker = "203.0.113.77";
    const log = join(dir, "auth.log");
    writeFileSync(log, sshBurst(attacker, Date.now(), 12));
    const r = await agent.detect(log);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain(`Ip ${attacker} performed 'crowdsecurity/ssh-bf'`);
    await edgeSays(attacker, 403);
    const decisions = await cliJson<{ origin: string; scenario: string; duration: string }[]>(
      ["decisions", "list", "--ip", attacker],
      { env },
    );
    // One burst overflowed two scenarios: one incident, so neither is escalated.
    expect(decisions.map((d) => [d.scenario, d.origin, d.duration.slice(0, 3)]).sort()).toEqual([
      ["crowdsecurity/ssh-bf", "crowdsec", "3h5"],
      ["crowdsecurity/ssh-slow-bf", "crowdsec", "3h5"],
    ]);
  });
});

const cb = CUSTOM_BOUNCER ? describe : describe.skip;
cb(
  CUSTOM_BOUNCER
    ? "crowdsec-custom-bouncer against Palisade"
    : "SKIPPED, crowdsec-custom-bouncer did not run: absent from /usr/bin and node_modules/.cache/debs (.ci/run unpacks it)",
  () => {
    let bouncer: ChildProcess | undefined;
    let output = "";
    const calls = join(dir, "custom-calls.log");

    beforeAll(async () => {
      const script = join(dir, "custom.sh");
      writeFileSync(script, `#!/bin/sh\necho "$@" >> ${calls}\n`);
      chmodSync(script, 0o755);
      const made = await cliJson<{ api_key: string }>(["bouncers", "add", "custom-e2e"], { env });
      bouncer = startCustomBouncer(CUSTOM_BOUNCER as string, dir, {
        apiUrl: `${worker.base}/_palisade/`,
        apiKey: made.api_key,
        script,
      });
      const keep = (d: Buffer) => {
        output = (output + d.toString()).slice(-20_000);
      };
      bouncer.stdout?.on("data", keep);
      bouncer.stderr?.on("data", keep);
    });

    afterAll(async () => {
      if (bouncer) await stopGroup(bouncer);
    });

    const called = (line: RegExp) =>
      waitFor(
        `the custom bouncer's script called with ${line}`,
        async () => {
          const text = existsSync(calls) ? readFileSync(calls, "utf8") : "";
          return line.test(text) ? text : undefined;
        },
        20_000,
        200,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nbouncer output:\n${output}`);
      });

    it("receives add for a new decision and del when it is deleted", async () => {
      const ip = "192.0.2.231";
      const add = await cliJson<{ decision: { id: number } }>(
        ["decisions", "add", "--ip", ip, "--duration", "1h", "--reason", "custom-e2e"],
        { env },
      );
      const seen = await called(
        new RegExp(`^add ${ip.replaceAll(".", "\\.")} 3\\d{3} custom-e2e \\{`, "m"),
      );
      const json = JSON.parse(
        seen
          .split("\n")
          .find((l) => l.startsWith(`add ${ip}`))
          ?.split(" custom-e2e ")[1] ?? "{}",
      );
      expect(json).toMatchObject({ id: add.decision.id, value: ip, type: "ban", origin: "cscli" });
      await cliJson(["decisions", "delete", "--ip", ip], { env });
      await called(new RegExp(`^del ${ip.replaceAll(".", "\\.")} `, "m"));
    });
  },
);
