import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnose } from "../../src/cli/doctor";
import { readWranglerConfig, wranglerConfigOf } from "../../src/cli/wrangler-config";
import { palisade, root } from "./run";

/** The production wrangler.toml the README shows. */
function readmeProductionToml(): string {
  const readme = readFileSync(`${root}README.md`, "utf8");
  const at = readme.indexOf("### A production wrangler.toml");
  const m = /```toml\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m?.[1]) throw new Error("README has no production wrangler.toml");
  return m[1];
}

function dir(): string {
  return mkdtempSync(join(tmpdir(), "palisade-doctor-"));
}

const GOOD_SECRETS = [
  `PALISADE_ADMIN_TOKEN=${"a1".repeat(32)}`,
  `PALISADE_MACHINE_TOKEN=${"b2".repeat(32)}`,
  "TURNSTILE_SECRET=0x4AAAAAAAB1cD2eF3gH4iJ5kL6mN7oP8qR",
  `CLEARANCE_KEY=${"c3".repeat(32)}`,
].join("\n");

function whats(args: { config: string; secrets?: Record<string, string>; plan?: "free" | "paid" }) {
  const config = readWranglerConfig(args.config);
  const found = diagnose({
    config,
    secrets: args.secrets,
    exampleSecrets: ["local-admin-token-change-me"],
    plan: args.plan ?? "free",
  });
  return found.map((f) => `${f.severity}: ${f.what}`);
}

describe("palisade doctor (npm run preflight)", () => {
  it("flags what the local wrangler.toml would get wrong in production", () => {
    const r = palisade([
      "doctor",
      "--config",
      `${root}wrangler.toml`,
      "--secrets",
      `${root}.dev.vars.example`,
    ]);
    expect(r.status).toBe(1);
    for (const what of [
      /^error: the KV namespace BLOCKLIST has the placeholder id "0+"\.\n {2}why: .+\n {2}fix: .*wrangler kv namespace create BLOCKLIST/m,
      /^warning: TURNSTILE_SITEKEY is not set\.$/m,
      /^error: KV_FLUSH_MS 1000 allows up to \d+ KV writes a day, over the free plan's 1000\.$/m,
      /^error: PALISADE_ADMIN_TOKEN is an example value\.$/m,
      /^error: TURNSTILE_SECRET is Turnstile's test secret\.$/m,
    ])
      expect(r.stdout).toMatch(what);
    expect(r.stderr).toMatch(
      /palisade doctor: .*wrangler\.toml: \d+ error\(s\), \d+ warning\(s\)\n$/,
    );
  });

  it("passes the README's production example with real-looking secrets", () => {
    const d = dir();
    writeFileSync(join(d, "wrangler.toml"), readmeProductionToml());
    writeFileSync(join(d, "prod.secrets"), GOOD_SECRETS);
    const r = palisade([
      "doctor",
      "--config",
      join(d, "wrangler.toml"),
      "--secrets",
      join(d, "prod.secrets"),
    ]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/0 error\(s\), 0 warning\(s\); ready to deploy/);
    expect(r.status).toBe(0);
  });

  it("names each missing binding, queue and trigger", () => {
    const d = dir();
    writeFileSync(
      join(d, "wrangler.toml"),
      'name = "x"\nmain = "src/worker.ts"\n[vars]\nPALISADE_ENV = "production"\nTURNSTILE_SITEKEY = "0x4AAAAAAAB1cD2eF3gH4iJ5"\nKV_FLUSH_MS = "200000"\nPALISADE_ADMIN_TOKEN = "oops"\n',
    );
    expect(whats({ config: join(d, "wrangler.toml"), secrets: {} })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error: .* has no Durable Object binding SOURCES/),
        expect.stringMatching(/^error: .* has no Durable Object binding LEDGER/),
        expect.stringMatching(/never migrates Ledger/),
        expect.stringMatching(/^warning: .* has no cron trigger/),
        expect.stringMatching(/^error: .* has no queue producer INGEST_QUEUE/),
        expect.stringMatching(/^error: .* has no KV namespace BLOCKLIST/),
        "error: PALISADE_ADMIN_TOKEN is in [vars].",
        "error: TURNSTILE_SECRET is not set.",
      ]),
    );
  });

  it("refuses a local environment and Turnstile's test sitekey", () => {
    const base = wranglerConfigOf(
      { vars: { PALISADE_ENV: "local", TURNSTILE_SITEKEY: "1x00000000000000000000AA" } },
      "t.toml",
    );
    const whats = diagnose({ config: base, secrets: {}, exampleSecrets: [], plan: "free" }).map(
      (f) => f.what,
    );
    expect(whats).toEqual(
      expect.arrayContaining([
        "PALISADE_ENV is local.",
        "TURNSTILE_SITEKEY is Turnstile's test key 1x00000000000000000000AA.",
      ]),
    );
  });

  it("checks the Ledger's daily KV write budget (KV_WRITE_BUDGET) against the plan when it is set", () => {
    const base = wranglerConfigOf({ vars: { KV_FLUSH_MS: "1000" } }, "t.toml");
    const kv = (vars: Record<string, unknown>, plan: "free" | "paid") =>
      diagnose({ config: { ...base, vars }, secrets: {}, exampleSecrets: [], plan })
        .map((f) => f.what)
        .filter((w) => /KV_WRITE_BUDGET|KV_FLUSH_MS/.test(w));
    expect(kv({ KV_WRITE_BUDGET: "5000" }, "free")).toEqual([
      "KV_WRITE_BUDGET is 5000 writes a day, over the free plan's 1000.",
    ]);
    expect(kv({ KV_WRITE_BUDGET: "1000", KV_FLUSH_MS: "1000" }, "free")).toEqual([]);
    expect(kv({ KV_WRITE_BUDGET: "5000" }, "paid")).toEqual([]);
    expect(kv({ KV_FLUSH_MS: "200000" }, "free")).toEqual([]);
  });
});
