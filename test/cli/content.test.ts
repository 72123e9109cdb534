import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runShipper } from "../../shipper/test/bundle";
import { cliJson, ingestBody, nginxLine, runCli } from "../e2e/support/cli";
import { type LocalWorker, startLocalWorker } from "../e2e/support/worker";

// Issue 14's "done when": `npx palisade scenarios add my-rule.yaml` changes what the
// deployed Worker (wrangler dev here) detects, without a redeploy.

const FIXTURES = "test/fixtures/content";
let w: LocalWorker;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, { env });

beforeAll(async () => {
  w = await startLocalWorker({ port: 9311 });
  env = { PALISADE_URL: w.base, PALISADE_TOKEN: w.adminToken };
}, 90_000);
afterAll(async () => {
  await w?.stop();
});

async function ingest(id: string, lines: string[]): Promise<{ alerts: number; decisions: number }> {
  const res = await fetch(`${w.base}/_palisade/v1/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${w.machineToken}` },
    body: ingestBody(id, lines),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { alerts: number; decisions: number };
}

describe("palisade scenarios at runtime", { timeout: 120_000 }, () => {
  it("add changes what the Worker detects; a bad file is refused with lint's diagnostics", async () => {
    const line = (ip: string) => nginxLine(ip, "/acme/admin/export", 200, "Mozilla/5.0");
    expect((await ingest("before", [line("203.0.113.61")])).alerts).toBe(0);

    const add = await cli("scenarios", "add", `${FIXTURES}/my-rule.yaml`);
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Content version 1/);
    const after = await ingest("after", [line("203.0.113.62")]);
    expect(after.alerts).toBe(1);
    expect(after.decisions).toBeGreaterThan(0);

    const bad = await cli("scenarios", "add", `${FIXTURES}/bad-rule.yaml`);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("bad-rule.yaml#0:leakspeed");
    expect(bad.stderr).toContain("nothing was changed");
    const list = await cliJson<{ version: number; scenarios: { name: string; origin: string }[] }>(
      ["scenarios", "list"],
      { env },
    );
    expect(list.version).toBe(1);
    expect(list.scenarios.find((s) => s.name === "acme/admin-export")?.origin).toBe("installed");
    expect(list.scenarios.some((s) => s.name === "acme/bad")).toBe(false);

    const show = await cli("scenarios", "show", "acme/admin-export");
    expect(show.stdout).toContain("evt.Meta.http_path == '/acme/admin/export'");

    const sim = await cli("scenarios", "simulate", "acme/admin-export");
    expect(sim.status, sim.stderr).toBe(0);
    const simulated = await ingest("simulated", [line("203.0.113.63")]);
    expect(simulated).toMatchObject({ alerts: 1, decisions: 0 });

    const history = await cli("scenarios", "history");
    expect(history.stdout).toContain("scenarios simulate acme/admin-export");
    const back = await cli("scenarios", "rollback", "1");
    expect(back.status, back.stderr).toBe(0);
    expect((await ingest("rolled-back", [line("203.0.113.64")])).decisions).toBeGreaterThan(0);
  });
});

describe("palisade parsers at runtime", { timeout: 120_000 }, () => {
  it("the shipper's --check fails for a type with no parser, and passes once one is installed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-content-"));
    try {
      const config = join(dir, "ship.yaml");
      writeFileSync(join(dir, "app.log"), "");
      writeFileSync(
        config,
        `url: ${w.base}\ntoken: ${w.machineToken}\nstate_dir: ${join(dir, "state")}\nsources:\n  - paths: [${join(dir, "*.log")}]\n    type: nginx\n  - paths: [${join(dir, "*.log")}]\n    type: acmeauth\n`,
      );
      const before = await runShipper(["--config", config, "--check"]);
      expect(await before.exited).toBe(1);
      expect(before.stdout()).toContain('no parser for source type "acmeauth"');
      expect(before.stdout()).toContain("token accepted (type nginx)");

      const add = await cli("parsers", "add", `${FIXTURES}/acme-parser.yaml`);
      expect(add.status, add.stderr).toBe(0);
      const list = await cli("parsers", "list");
      expect(list.stdout).toMatch(/acmeauth\s+installed/);
      const after = await runShipper(["--config", config, "--check"]);
      expect(await after.exited, after.stdout()).toBe(0);
      expect(after.stdout()).toContain("token accepted (type acmeauth)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("palisade collections install", { timeout: 120_000 }, () => {
  it("installs a collection's scenarios with its data files, skipping CrowdSec parsers", async () => {
    const r = await cli("collections", "install", `${FIXTURES}/collection`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("skipped");
    expect(r.stderr).toContain("nginx-logs.yaml");
    const bot = nginxLine("203.0.113.66", "/", 200, "AcmeEvilBot/1.0");
    expect((await ingest("bot", [bot])).alerts).toBe(1);
  });
});
