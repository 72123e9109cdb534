import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminDecision } from "../../src/contract/admin";
import type { AllowEntry, Bouncer, Machine, Metrics } from "../../src/contract/admin-access";
import { cliJson, ingestBody, nginxLine, runCli } from "../e2e/support/cli";
import { type LocalWorker, startLocalWorker } from "../e2e/support/worker";

// `palisade bouncers|machines|allowlist|metrics` against the real Worker under wrangler dev:
// the keys and tokens the CLI prints are the ones the bouncer, watcher and ingest APIs take.

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

function pull(key: string, agent = "test-bouncer/1.0"): Promise<Response> {
  return fetch(`${w.base}/_palisade/v1/decisions/stream?startup=true`, {
    headers: { "X-Api-Key": key, "User-Agent": agent },
  });
}

describe("palisade bouncers", { timeout: 120_000 }, () => {
  it("creates a key the bouncer API accepts, lists its pulls, revokes it", async () => {
    const made = await json<{ name: string; api_key: string; created_at: string }>(
      "bouncers",
      "add",
      "fw-1",
    );
    expect(made.name).toBe("fw-1");
    expect(made.api_key).toMatch(/^[0-9a-f]{64}$/);
    const human = await cli("bouncers", "add", "fw-2");
    expect(human.status).toBe(0);
    const key2 = /^ {3}([0-9a-f]{64})$/m.exec(human.stdout)?.[1];
    expect(key2, human.stdout).toBeDefined();
    expect(human.stdout).toContain(`api_url: ${w.base}/_palisade/`);

    await json("decisions", "add", "--ip", "203.0.113.50");
    const res = await pull(made.api_key);
    expect(res.status).toBe(200);
    const stream = (await res.json()) as { new: { value: string }[] };
    expect(stream.new.map((d) => d.value)).toEqual(["203.0.113.50"]);
    expect((await pull(key2 as string)).status).toBe(200);

    const listed = await json<Bouncer[]>("bouncers", "list");
    const fw1 = listed.find((b) => b.name === "fw-1");
    expect(fw1?.user_agent).toBe("test-bouncer/1.0");
    expect(fw1?.last_pull).not.toBeNull();
    expect(fw1?.instances).toHaveLength(1);
    const table = await cli("bouncers", "list");
    expect(table.stdout.split("\n")[0]).toMatch(
      /^NAME\s+LAST PULL\s+USER AGENT\s+LAST IP\s+INSTANCES\s+CREATED$/,
    );
    expect(table.stdout).toMatch(/^fw-1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+test-bouncer\/1\.0\s/m);

    const del = await cli("bouncers", "delete", "fw-1");
    expect(del.stdout.trim()).toBe("Bouncer fw-1 deleted: its key no longer works.");
    expect((await pull(made.api_key)).status).toBe(403);
    expect((await json<Bouncer[]>("bouncers", "list")).map((b) => b.name)).toEqual(["fw-2"]);

    const missing = await cli("bouncers", "delete", "fw-1");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot delete bouncer fw-1: the API answered 404 not_found/);
    expect(missing.stderr).toMatch(/fix: list the bouncers with palisade bouncers list\./);
    const taken = await cli("bouncers", "add", "fw-2");
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(/409 name_taken at body\.name/);
    expect(taken.stderr).toMatch(/fix: pick another NAME, or revoke the old key first/);
    await json("decisions", "delete", "--all");
  });
});

describe("palisade machines", { timeout: 120_000 }, () => {
  const ingest = (token: string, id: string) =>
    fetch(`${w.base}/_palisade/v1/ingest`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: ingestBody(id, [nginxLine("192.0.2.10", "/")]),
    });
  const login = (machine_id: string, password: string) =>
    fetch(`${w.base}/_palisade/v1/watchers/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ machine_id, password, scenarios: null }),
    });

  it("makes a watcher by default and an ingest machine with --role ingest, each for its own use", async () => {
    const agent = await json<{ name: string; role: string; token: string }>(
      "machines",
      "add",
      "agent-1",
    );
    expect(agent).toMatchObject({ name: "agent-1", role: "watcher" });
    expect(agent.token).toMatch(/^[0-9a-f]{64}$/);
    const ship = await json<{ role: string; token: string }>(
      "machines",
      "add",
      "web-1",
      "--role",
      "ingest",
    );
    expect(ship.role).toBe("ingest");
    expect((await ingest(ship.token, "m-1")).status).toBe(200);
    expect((await login("web-1", ship.token)).status).toBe(403);
    expect((await login("agent-1", agent.token)).status).toBe(200);
    const asIngest = await ingest(agent.token, "m-0");
    expect(asIngest.status).toBe(403);
    expect(await asIngest.text()).toContain("--role ingest");

    const listed = await json<Machine[]>("machines", "list");
    expect(listed.map((m) => [m.name, m.role])).toEqual([
      ["agent-1", "watcher"],
      ["web-1", "ingest"],
    ]);
    expect(listed[0]?.last_seen).not.toBeNull();
    const table = await cli("machines", "list");
    expect(table.stdout).toMatch(
      /^NAME\s+ROLE\s+LAST SEEN\s+CREATED\n─.*\nagent-1\s+watcher\s+\d{4}-/,
    );

    const reserved = await cli("machines", "add", "bootstrap");
    expect(reserved.status).toBe(1);
    expect(reserved.stderr).toMatch(/409 name_reserved/);
    const badRole = await cli("machines", "add", "x-1", "--role", "admin");
    expect(badRole.status).toBe(1);
    expect(badRole.stderr).toMatch(/--role "admin" is not a machine role/);
    for (const name of ["web-1", "agent-1"]) {
      expect((await cli("machines", "delete", name)).status).toBe(0);
    }
    expect((await ingest(ship.token, "m-2")).status).toBe(403);
    expect((await login("agent-1", agent.token)).status).toBe(401);
    expect((await cli("machines", "list")).stdout.trim()).toBe(
      "No machines. Add one with palisade machines add NAME.",
    );
  });

  it("writes a watcher's local_api_credentials.yaml with -f, which logs in", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "palisade-creds-")), "creds.yaml");
    const out = await cli("machines", "add", "agent-2", "-f", file);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain(`Written to ${file}`);
    const yaml = readFileSync(file, "utf8");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const m = /^url: (.+)\nlogin: agent-2\npassword: ([0-9a-f]{64})\n$/.exec(yaml);
    expect(m?.[1]).toBe(`${w.base}/_palisade/`);
    expect((await login("agent-2", m?.[2] as string)).status).toBe(200);
    expect((await cli("machines", "delete", "agent-2")).status).toBe(0);
  });
});

describe("palisade allowlist", { timeout: 120_000 }, () => {
  it("lifts the decisions an entry covers, refuses new ones, and lets them back once removed", async () => {
    const { decision } = await json<{ decision: AdminDecision }>(
      "decisions",
      "add",
      "--ip",
      "203.0.113.9",
    );
    const added = await cli(
      "allowlist",
      "add",
      "203.0.113.0/24",
      "--reason",
      "office",
      "--duration",
      "24h",
    );
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout.trim()).toMatch(
      new RegExp(
        `^Allowlisted 203\\.0\\.113\\.0/24 \\(entry \\d+, office\\) until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\. Lifted 1 active decision\\(s\\): ${decision.id}\\.$`,
      ),
    );
    expect(await json<AdminDecision[]>("decisions", "list", "--ip", "203.0.113.9")).toEqual([]);

    const refused = await cli("decisions", "add", "--ip", "203.0.113.10");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/cannot add the decision: the API answered 409 allowlisted/);
    expect(refused.stderr).toMatch(
      /fix: remove the allowlist entry first \(palisade allowlist remove VALUE\)/,
    );

    const single = await json<{ entry: AllowEntry; lifted: number[] }>(
      "allowlist",
      "add",
      "2001:db8::1",
    );
    expect(single.entry.value).toBe("2001:db8::1/128");
    const entries = await json<AllowEntry[]>("allowlist", "list");
    expect(entries.map((e) => e.value).sort()).toEqual(["2001:db8::1/128", "203.0.113.0/24"]);
    const table = await cli("allowlist", "list");
    expect(table.stdout).toMatch(/^ID\s+VALUE\s+REASON\s+CREATED\s+EXPIRES$/m);
    expect(table.stdout).toMatch(/\s203\.0\.113\.0\/24\s+office\s+\d{4}-.*Z\s+\d{4}-.*Z$/m);
    expect(table.stdout).toMatch(/\s2001:db8::1\/128\s+allowlisted by admin\s+\d{4}-.*Z\s+-$/m);

    const removed = await cli("allowlist", "remove", "203.0.113.0/24");
    expect(removed.stdout.trim()).toMatch(/^Removed 1 allowlist entry: \d+\.$/);
    expect((await cli("decisions", "add", "--ip", "203.0.113.10")).status).toBe(0);
    const byId = await json<{ ids: number[] }>(
      "allowlist",
      "remove",
      "--id",
      String(single.entry.id),
    );
    expect(byId.ids).toEqual([single.entry.id]);
    const gone = await cli("allowlist", "remove", "203.0.113.0/24");
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/404 not_found at query\.value/);
    expect(gone.stderr).toMatch(/fix: list the entries with palisade allowlist list\./);
    expect((await cli("allowlist", "list")).stdout.trim()).toBe("The allowlist is empty.");
    await json("decisions", "delete", "--all");
  });
});

describe("palisade metrics", { timeout: 120_000 }, () => {
  it("shows ingest, decisions and bouncer counters as tables and JSON", async () => {
    const lines = [nginxLine("192.0.2.11", "/a", 200), nginxLine("192.0.2.11", "/b", 200), "junk"];
    const res = await fetch(`${w.base}/_palisade/v1/ingest`, {
      method: "POST",
      headers: { authorization: `Bearer ${w.machineToken}`, "content-type": "application/json" },
      body: ingestBody("metrics-1", lines),
    });
    expect(res.status).toBe(200);
    await json("decisions", "add", "--ip", "192.0.2.12", "--type", "captcha");

    const m = await json<Metrics>("metrics");
    const boot = m.ingest.find((i) => i.machine === "bootstrap" && i.type === "nginx");
    expect(boot).toMatchObject({ batches: 1, lines: 3, parsed: 2, unparsed: 1 });
    expect(m.decisions.active).toContainEqual({ origin: "cscli", type: "captcha", count: 1 });

    const human = await cli("metrics");
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(
      /^Ingest:\nMACHINE\s+TYPE\s+BATCHES\s+LINES\s+PARSED\s+UNPARSED\n─.*\nbootstrap\s+nginx\s+1\s+3\s+2\s+1$/m,
    );
    expect(human.stdout).toMatch(/^Decisions:\nORIGIN\s+TYPE\s+CREATED\s+ACTIVE\n─/m);
    expect(human.stdout).toMatch(/^cscli\s+captcha\s+\d+\s+1$/m);
    expect(human.stdout).toMatch(/^Bouncers:\n/m);
    // The KV blocklist and its spend against the free plan's default budget.
    expect(m.kv?.budget.per_day).toBe(1000);
    expect(human.stdout).toMatch(/^KV blocklist:\n {2}epoch \d+: base \d+ bytes in \d+ key\(s\)/m);
    expect(human.stdout).toMatch(/^ {2}budget 1000 writes a day \(burst 50\)/m);
    await json("decisions", "delete", "--all");
  });
});

describe("palisade export and import", { timeout: 120_000 }, () => {
  it("a backup taken with export brings a deleted bouncer (its key working) and a decision back", async () => {
    const made = await json<{ api_key: string }>("bouncers", "add", "fw-backup");
    await json("decisions", "add", "--ip", "192.0.2.77", "--duration", "2h");
    const file = join(mkdtempSync(join(tmpdir(), "palisade-export-")), "backup.json");
    const exported = await cli("export", "--file", file);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(
      /palisade export: \d+ decisions, \d+ allowlist entries, \d+ bouncers/,
    );
    expect(readFileSync(file, "utf8")).not.toContain(made.api_key);
    await cli("bouncers", "delete", "fw-backup");
    await cli("decisions", "delete", "--ip", "192.0.2.77");
    expect((await pull(made.api_key)).status).toBe(403);
    const imported = await cli("import", file);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^bouncers: 1 imported, \d+ skipped$/m);
    expect(imported.stdout).toMatch(/^decisions: 1 imported, \d+ skipped$/m);
    expect((await pull(made.api_key)).status).toBe(200);
    const back = await json<{ value: string }[]>("decisions", "list", "--ip", "192.0.2.77");
    expect(back.map((d) => d.value)).toEqual(["192.0.2.77"]);
    const wrong = await cli("import", `${file}.missing`);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/cannot read .*\n {2}why: .*\n {2}fix: /);
  });
});
