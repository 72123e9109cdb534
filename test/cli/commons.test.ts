import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnrollmentKey, Explain, Member } from "../../src/contract/capi-commons";
import { CapiMember } from "../e2e/support/capi";
import { cliJson, runCli } from "../e2e/support/cli";
import { type LocalWorker, startLocalWorker, waitFor } from "../e2e/support/worker";

// `palisade commons …` against the commons Worker (wrangler.commons.toml) under wrangler dev.

const ADMIN = "test-commons-admin-0123456789";
let w: LocalWorker;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, { env });
const json = <T>(...args: string[]) => cliJson<T>(args, { env });

beforeAll(async () => {
  w = await startLocalWorker({
    config: "wrangler.commons.toml",
    secrets: { COMMONS_ADMIN_TOKEN: ADMIN },
    vars: { COMMONS_PUBLISH_MS: "200", COMMONS_SHARDS: "4" },
  });
  env = { PALISADE_URL: w.base, PALISADE_TOKEN: ADMIN };
}, 90_000);
afterAll(async () => {
  await w?.stop();
});

async function enrolled(name: string): Promise<CapiMember> {
  const k = await json<EnrollmentKey>("commons", "keys", "add", "-o", "json");
  return new CapiMember(w.base).join(k.key, name);
}

describe("palisade commons", { timeout: 120_000 }, () => {
  it("keys add: a key a member enrolls with (json and human)", async () => {
    const k = await json<EnrollmentKey>(
      "commons",
      "keys",
      "add",
      "--uses",
      "2",
      "--note",
      "eu fleet",
      "-o",
      "json",
    );
    expect(k).toMatchObject({ uses: 2, note: "eu fleet" });
    await new CapiMember(w.base).join(k.key);
    const human = await cli("commons", "keys", "add");
    expect(human.status).toBe(0);
    const key = /^ {3}(\S{32})$/m.exec(human.stdout)?.[1];
    expect(human.stdout).toContain(`cscli console enroll --name NAME ${key}`);
    await new CapiMember(w.base).join(key);
  });

  it("members list, why, revoke: from listing to a forgotten member", async () => {
    const ms = [await enrolled("web-a"), await enrolled("web-b"), await enrolled("web-c")];
    const ip = "45.155.205.233";
    for (const m of ms) await m.signal(ip);
    const list = await json<Member[]>("commons", "members", "list", "-o", "json");
    expect(list.filter((m) => m.name.startsWith("web-")).map((m) => m.signals_today)).toEqual([
      1, 1, 1,
    ]);
    const table = await cli("commons", "members", "list");
    expect(table.stdout.split("\n")[0]).toMatch(
      /^MACHINE ID\s+NAME\s+ENROLLED\s+TRUST\s+LAST SEEN/,
    );
    const why = await cli("commons", "why", ip);
    expect(why.stdout).toMatch(/^Listed since .*: 3 counted reporter\(s\)/);
    expect(why.stdout).toMatch(/^web-a\s+crowdsecurity\/ssh-bf\s+yes\s+1\s+1\s+1\s/m);
    const revoke = await cli("commons", "members", "revoke", (ms[0] as CapiMember).id);
    expect(revoke.stdout).toContain("reports of 1 address(es) are forgotten");
    const after = await json<Explain>("commons", "why", ip, "-o", "json");
    expect(after).toMatchObject({ listed: false, reporters: 2 });
  });

  it("safelist add, list, remove and load", async () => {
    const add = await cli("commons", "safelist", "add", "91.200.0.0/16", "--reason", "partner NAT");
    expect(add.stdout).toContain("Safe-listed 91.200.0.0/16");
    const entries = await json<{ cidr: string; source: string }[]>(
      "commons",
      "safelist",
      "list",
      "-o",
      "json",
    );
    expect(entries).toContainEqual({
      cidr: "91.200.0.0/16",
      source: "operator",
      reason: "partner NAT",
    });
    expect((await cli("commons", "safelist", "remove", "91.200.0.0/16")).status).toBe(0);
    const file = join(w.dir, "edge.txt");
    writeFileSync(file, "# our own edge\n203.0.114.0/24\n2a0b:1::/32\n");
    const load = await cli("commons", "safelist", "load", "operator/edge", file);
    expect(load.stdout).toContain("Source operator/edge: 2 entries");
    const why = await json<Explain>("commons", "why", "2a0b:1::7", "-o", "json");
    expect(why.classification).toBe("safe");
  });

  it("status shows the list and the members", async () => {
    const s = await waitFor("a published version", async () => {
      const x = await json<{ version: number; shards: number }>("commons", "status", "-o", "json");
      return x.version > 0 ? x : undefined;
    });
    expect(s.shards).toBe(4);
    expect((await cli("commons", "status")).stdout).toMatch(/^list version:\s+\d+/m);
  });

  it("fails like every admin command: exit 1, what, why and fix, no stack trace", async () => {
    const bad = await runCli(["commons", "members", "list"], {
      env: { ...env, PALISADE_TOKEN: "nope" },
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("is not the COMMONS_ADMIN_TOKEN of");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const ip = await cli("commons", "why", "not-an-ip");
    expect(ip.status).toBe(1);
    expect(ip.stderr).toContain("correct the IP argument");
    const verb = await cli("commons", "keys", "remove");
    expect(verb.stderr).toContain('unknown command "commons keys remove"');
  });
});
