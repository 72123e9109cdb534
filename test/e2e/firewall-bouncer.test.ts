import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliJson, ingestBody, LOG4SHELL_PATH, nginxLine, runCli, sshFailures } from "./support/cli";
import { NetNs, setElements, stopGroup } from "./support/netns";
import { type LocalWorker, startLocalWorker, waitFor } from "./support/worker";

// The real CrowdSec firewall bouncer (Debian's crowdsec-firewall-bouncer 0.0.25, nftables
// mode) against a local Palisade, both inside a network namespace made for the test: bans
// and unbans made with the CLI, or detected through ingest, must show up in (and leave) the
// bouncer's nftables sets. `.ci/run` installs the package; without it, or without root,
// the skipped test's name says so.

const BOUNCER = "/usr/bin/crowdsec-firewall-bouncer";
// The package's default names (/etc/crowdsec/bouncers/crowdsec-firewall-bouncer.yaml).
const V4 = ["ip", "crowdsec", "crowdsec-blacklists"] as const;
const V6 = ["ip6", "crowdsec6", "crowdsec6-blacklists"] as const;
const PORT = 8787;

function missing(): string[] {
  const out: string[] = [];
  const uid = process.getuid?.();
  if (uid !== 0) out.push(`not root (uid ${uid}): ip netns and nftables need root`);
  if (!existsSync(BOUNCER)) {
    out.push(`${BOUNCER} is absent (apt-get install crowdsec-firewall-bouncer; .ci/run does)`);
  }
  for (const bin of ["/usr/sbin/nft", "/usr/sbin/ip"]) {
    if (!existsSync(bin)) out.push(`${bin} is absent`);
  }
  return out;
}

const why = missing();

if (why.length > 0) {
  describe("crowdsec-firewall-bouncer (nftables) syncs with Palisade", () => {
    it.skip(`SKIPPED, the real bouncer did not run: ${why.join("; ")}`, () => {});
  });
} else {
  describe("crowdsec-firewall-bouncer (nftables) syncs with Palisade", realBouncer);
}

function bouncerConfig(dir: string, key: string): string {
  return [
    "mode: nftables",
    `pid_dir: ${dir}/`,
    "update_frequency: 500ms",
    "daemonize: false",
    "log_mode: stdout",
    "log_level: debug",
    `api_url: http://127.0.0.1:${PORT}/_palisade/`,
    `api_key: ${key}`,
    "insecure_skip_verify: false",
    "disable_ipv6: false",
    "deny_action: DROP",
    "deny_log: false",
    "supported_decisions_types:",
    "  - ban",
    `blacklists_ipv4: ${V4[2]}`,
    `blacklists_ipv6: ${V6[2]}`,
    "nftables:",
    "  ipv4:",
    "    enabled: true",
    "    set-only: false",
    `    table: ${V4[1]}`,
    "    chain: crowdsec-chain",
    "  ipv6:",
    "    enabled: true",
    "    set-only: false",
    `    table: ${V6[1]}`,
    "    chain: crowdsec6-chain",
    "prometheus:",
    "  enabled: false",
    "",
  ].join("\n");
}

function realBouncer(): void {
  let ns: NetNs;
  let worker: LocalWorker;
  let bouncer: ReturnType<NetNs["spawn"]> | undefined;
  let env: Record<string, string>;
  let early: number;

  const cli = (...args: string[]) => runCli(args, { env, netns: ns.name });
  const json = <T>(...args: string[]) => cliJson<T>(args, { env, netns: ns.name });
  const listing = (set: readonly [string, string, string]) =>
    ns.must(["nft", "list", "set", ...set]);
  const members = async (set: readonly [string, string, string]) => setElements(await listing(set));
  /**
   * Waits until `ip` is (or is not) in the set, and logs the listing that showed it. The
   * set must exist either way: the bouncer makes it at start, after a moment.
   */
  async function expectInSet(set: readonly [string, string, string], ip: string, present: boolean) {
    const shown = await waitFor(
      `${ip} ${present ? "in" : "out of"} ${set.join(" ")}`,
      async () => {
        const r = await ns.exec(["nft", "list", "set", ...set]);
        if (r.status !== 0) return undefined;
        return setElements(r.stdout).includes(ip) === present ? r.stdout : undefined;
      },
      20_000,
      200,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nbouncer log:\n${bouncer?.output().slice(-4000)}`);
    });
    console.log(`nft list set ${set.join(" ")} (${ip} ${present ? "added" : "gone"}):\n${shown}`);
  }

  /** Posts a batch to the Worker's ingest from inside the namespace, as a shipper would. */
  async function ingest(batchId: string, lines: string[], type = "nginx"): Promise<void> {
    const post = `const r = await fetch(process.env.U, { method: "POST", headers: { authorization: "Bearer " + process.env.T, "content-type": "application/json" }, body: process.env.B }); process.stdout.write(String(r.status));`;
    const sent = await ns.exec([
      "env",
      `U=${worker.base}/_palisade/v1/ingest`,
      `T=${worker.machineToken}`,
      `B=${ingestBody(batchId, lines, {}, type)}`,
      process.execPath,
      "--input-type=module",
      "-e",
      post,
    ]);
    expect(sent.stdout, sent.stderr).toBe("200");
  }

  beforeAll(async () => {
    ns = await NetNs.create(`palisade-e2e-${process.pid}`);
    worker = await startLocalWorker({ netns: ns.name, port: PORT });
    env = { PALISADE_URL: worker.base, PALISADE_TOKEN: worker.adminToken };
    // A decision made before the bouncer starts: it must come with the startup pull.
    early = (
      await json<{ decision: { id: number } }>(
        "decisions",
        "add",
        "--ip",
        "192.0.2.44",
        "--duration",
        "1h",
      )
    ).decision.id;
    const made = await json<{ api_key: string }>("bouncers", "add", "nft-e2e");
    const config = join(worker.dir, "crowdsec-firewall-bouncer.yaml");
    writeFileSync(config, bouncerConfig(worker.dir, made.api_key), { mode: 0o600 });
    bouncer = ns.spawn([BOUNCER, "-c", config]);
  }, 120_000);

  afterAll(async () => {
    if (bouncer) await stopGroup(bouncer.child);
    await worker?.stop();
    await ns?.destroy();
  }, 30_000);

  it("receives the decisions made before it started with its startup pull", async () => {
    await expectInSet(V4, "192.0.2.44", true);
    const pulled = await waitFor("the bouncer's pull in bouncers list", async () => {
      const list = await json<
        { name: string; last_pull: string | null; user_agent: string | null }[]
      >("bouncers", "list");
      const b = list.find((x) => x.name === "nft-e2e");
      return b?.last_pull ? b : undefined;
    });
    expect(pulled.user_agent).toMatch(/crowdsec-firewall-bouncer/);
    expect((await cli("decisions", "delete", "--id", String(early))).status).toBe(0);
    await expectInSet(V4, "192.0.2.44", false);
  });

  it("adds a CLI ban to the ipv4 set and removes it when the decision is deleted", async () => {
    const add = await cli(
      "decisions",
      "add",
      "--ip",
      "203.0.113.7",
      "--type",
      "ban",
      "--duration",
      "1h",
    );
    expect(add.status, add.stderr).toBe(0);
    await expectInSet(V4, "203.0.113.7", true);
    // A captcha is not for a firewall: the bouncer only takes bans (supported_decisions_types).
    expect((await cli("decisions", "add", "--ip", "203.0.113.8", "--type", "captcha")).status).toBe(
      0,
    );
    const del = await cli("decisions", "delete", "--ip", "203.0.113.7");
    expect(del.stdout).toMatch(/^1 decision\(s\) deleted/);
    await expectInSet(V4, "203.0.113.7", false);
    expect(await members(V4)).not.toContain("203.0.113.8");
    await cli("decisions", "delete", "--ip", "203.0.113.8");
  });

  it("adds an IPv6 ban to the ipv6 set and removes it when deleted", async () => {
    expect((await cli("decisions", "add", "--ip", "2001:db8::7", "--duration", "1h")).status).toBe(
      0,
    );
    await expectInSet(V6, "2001:db8::7", true);
    expect(await members(V4)).not.toContain("2001:db8::7");
    expect((await cli("decisions", "delete", "--ip", "2001:db8::7")).status).toBe(0);
    await expectInSet(V6, "2001:db8::7", false);
  });

  it("drops a ban when it expires, told by Palisade's stream (not only nft's own timeout)", async () => {
    expect((await cli("decisions", "add", "--ip", "198.51.100.9", "--duration", "4s")).status).toBe(
      0,
    );
    await expectInSet(V4, "198.51.100.9", true);
    // The bouncer logs each value of a pull's `deleted` list.
    await waitFor(
      "the expired decision in the bouncer's deleted list",
      async () => (bouncer?.output().includes("deleted '198.51.100.9'") ? true : undefined),
      20_000,
      200,
    );
    await expectInSet(V4, "198.51.100.9", false);
    const ended = await json<{ value: string; deleted_reason: string | null }[]>(
      "decisions",
      "list",
      "--all",
      "--ip",
      "198.51.100.9",
    );
    expect(ended[0]?.deleted_reason).toBe("expired");
  });

  it("adds a ban detected through ingest (a Log4Shell probe) and drops it when deleted", async () => {
    const attacker = "203.0.113.66";
    await ingest("e2e-1", [nginxLine(attacker, LOG4SHELL_PATH)]);
    await expectInSet(V4, attacker, true);
    const detected = await json<{ origin: string; scenario: string }[]>(
      "decisions",
      "list",
      "--ip",
      attacker,
    );
    expect(detected).toMatchObject([
      { origin: "palisade", scenario: "palisade/cve-2021-44228-log4shell" },
    ]);
    expect((await cli("decisions", "delete", "--ip", attacker)).status).toBe(0);
    await expectInSet(V4, attacker, false);
  });

  it("blocks a detected IPv6 attacker (ingested sshd failures) at its own address, and lifts it with its /64", async () => {
    // Palisade decides on the attacker's /64; this bouncer keeps single addresses only (it
    // would store the /64 as 2001:db8:77:4242::), so the address itself comes too.
    const attacker = "2001:db8:77:4242::5";
    await ingest("e2e-v6", sshFailures(attacker, 12), "syslog");
    await expectInSet(V6, attacker, true);
    const made = await json<{ scope: string; value: string; origin: string }[]>(
      "decisions",
      "list",
      "--ip",
      attacker,
    );
    // ssh-bf and ssh-slow-bf may both fire: each alert brings the pair.
    expect([...new Set(made.map((d) => `${d.origin} ${d.scope}:${d.value}`))].sort()).toEqual([
      "palisade Ip:2001:db8:77:4242::5",
      "palisade Range:2001:db8:77:4242::/64",
    ]);
    expect((await cli("decisions", "delete", "--range", "2001:db8:77:4242::/64")).status).toBe(0);
    await expectInSet(V6, attacker, false);
  });
}
