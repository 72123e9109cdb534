import { type ChildProcess, spawn } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Explain, Member } from "../../src/contract/capi-commons";
import { CapiMember } from "./support/capi";
import { type CapiProxy, startCapiProxy } from "./support/capi-proxy";
import { type CrowdsecCopy, CS_ETC, crowdsecCopy, sshFailures } from "./support/crowdsec-copy";
import { type LocalWorker, startLocalWorker, waitFor } from "./support/worker";

// The real CrowdSec 1.4.6 engine (Debian's package) joins a local commons under wrangler
// dev, from a private copy of its configuration: `cscli capi register` (through a
// TLS-terminating proxy, since 1.4.6 always posts to api.crowdsec.net), `cscli console
// enroll KEY`, then `crowdsec` pulls the community list at startup (its `cscli decisions
// list -a` shows the commons' address with origin CAPI) and pushes the signal of an sshd
// brute force it detects. 1.4.6 has no setting for its push interval (30 s ± 15 s, the
// first one 15-45 s after start): the test waits for that one push, about a minute in all.

const ADMIN = "e2e-commons-admin-0123456789";
const COMMUNITY = "45.155.205.233";
const ATTACKER = "45.155.205.99";

function missing(): string[] {
  const out: string[] = [];
  for (const bin of ["/usr/bin/crowdsec", "/usr/bin/cscli", "/usr/bin/openssl"]) {
    if (!existsSync(bin))
      out.push(`${bin} is absent (apt-get install crowdsec openssl; .ci/run does)`);
  }
  if (!existsSync(join(CS_ETC, "scenarios")))
    out.push(`${CS_ETC}/scenarios is absent (../shared/peers/crowdsec-setup.sh)`);
  const uid = process.getuid?.();
  if (uid !== 0) out.push(`not root (uid ${uid}): the engine reads root-only hub and data files`);
  return out;
}

const why = missing();
if (why.length > 0) {
  describe("CrowdSec 1.4.6 joins a commons", () => {
    it.skip(`SKIPPED, the real engine did not run: ${why.join("; ")}`, () => {});
  });
} else {
  describe("CrowdSec 1.4.6 joins a commons", { timeout: 180_000 }, realEngine);
}

function realEngine(): void {
  let w: LocalWorker;
  let dir: string;
  let cs: CrowdsecCopy;
  let proxy: CapiProxy | undefined;
  let engine: ChildProcess | undefined;
  let machineId = "";

  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${w.base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const mintKey = async () =>
    (await admin<{ key: string }>("POST", "/v1/admin/enrollment-keys")).key;
  // Asynchronous: the proxy cscli talks to during `capi register` runs in this process.
  const cscli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("cscli", ["-c", cs.config, ...args], { env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("close", (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  const log = () => (existsSync(cs.logFile) ? readFileSync(cs.logFile, "utf8") : "");

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "palisade-e2e-commons-"));
    w = await startLocalWorker({
      config: "wrangler.commons.toml",
      secrets: { COMMONS_ADMIN_TOKEN: ADMIN },
      vars: { COMMONS_PUBLISH_MS: "300", COMMONS_SHARDS: "4" },
    });
    cs = await crowdsecCopy(join(dir, "cs"));
    const add = await cscli(["machines", "add", "-a", "--force"]);
    if (add.status !== 0) throw new Error(`cscli machines add: ${add.stderr}`);
  }, 120_000);

  afterAll(async () => {
    if (engine?.pid !== undefined && engine.exitCode === null) {
      const exited = new Promise((r) => engine?.once("exit", r));
      engine.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (engine.exitCode === null) engine.kill("SIGKILL");
    }
    await proxy?.close();
    await w?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("registers with cscli capi register, as it would with api.crowdsec.net", async () => {
    proxy = await startCapiProxy(dir, w.base);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
      SSL_CERT_FILE: proxy.caFile,
      SSL_CERT_DIR: join(dir, "no-certs"),
    };
    for (const k of ["https_proxy", "http_proxy", "HTTP_PROXY", "NO_PROXY", "no_proxy"])
      delete env[k];
    const r = await cscli(["capi", "register"], env);
    expect(r.status, r.stderr).toBe(0);
    expect(proxy.requests).toEqual(["POST /v2/watchers -> 201"]);
    const creds = readFileSync(cs.credentials, "utf8");
    machineId = /^login: (\S+)$/m.exec(creds)?.[1] ?? "";
    expect(machineId).toMatch(/^[0-9a-f]{32}[A-Za-z0-9]{16}$/);
    writeFileSync(cs.credentials, creds.replace(/^url: .*$/m, `url: ${w.base}/`));
  });

  it("enrolls with cscli console enroll KEY", async () => {
    const r = await cscli(["console", "enroll", "--name", "e2e-crowdsec", await mintKey()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("Watcher successfully enrolled");
    const m = await admin<Member>("GET", `/v1/admin/members/${machineId}`);
    expect(m).toMatchObject({ enrolled: true, name: "e2e-crowdsec" });
  });

  it("pulls the community list at startup: cscli decisions list -a shows it with origin CAPI", async () => {
    for (let i = 0; i < 3; i++)
      await (await new CapiMember(w.base).join(await mintKey())).signal(COMMUNITY);
    await waitFor("the community address listed", async () => {
      const e = await admin<Explain>("GET", `/v1/admin/explain/${COMMUNITY}`);
      return e.listed ? true : undefined;
    });
    engine = spawn("crowdsec", ["-c", cs.config], { stdio: "ignore" });
    const origins = await waitFor(
      `${COMMUNITY} in cscli decisions list -a`,
      async () => {
        if (engine?.exitCode !== null)
          throw new Error(`crowdsec exited ${engine?.exitCode}:\n${log().slice(-3000)}`);
        const out = await cscli(["decisions", "list", "-a", "-o", "json"]);
        const alerts = JSON.parse(out.stdout.trim() || "null") as
          | { decisions?: { value: string; origin: string }[] }[]
          | null;
        const d = (alerts ?? [])
          .flatMap((a) => a.decisions ?? [])
          .filter((x) => x.value === COMMUNITY);
        return d.length > 0 ? d.map((x) => x.origin) : undefined;
      },
      60_000,
      1_000,
    );
    expect(origins).toEqual(["CAPI"]);
    expect(log()).toContain("crowdsecurity/community-blocklist : added 1 entries");
    const m = await admin<Member>("GET", `/v1/admin/members/${machineId}`);
    expect(m.version).toMatch(/^v1\.4\.6/); // its metrics, sent at start
  });

  it("pushes the signal of a brute force it detects, which counts in the commons", async () => {
    await waitFor(
      "crowdsec reading auth.log",
      async () => (/Starting processing data/.test(log()) ? true : undefined),
      30_000,
      500,
    );
    appendFileSync(cs.authLog, sshFailures(ATTACKER, 20, 50_000));
    const e = await waitFor(
      "the engine's signal in the commons",
      async () => {
        const x = await admin<Explain>("GET", `/v1/admin/explain/${ATTACKER}`);
        return x.reporters_detail.some((r) => r.machine_id === machineId) ? x : undefined;
      },
      75_000,
      1_000,
    );
    const mine = e.reporters_detail.find((r) => r.machine_id === machineId);
    expect(mine).toMatchObject({ counted: true, name: "e2e-crowdsec" });
    expect(mine?.scenario).toMatch(/^crowdsecurity\/ssh-/);
    expect(e.reporters).toBeGreaterThanOrEqual(1);
  });
}
