import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../e2e/support/cli";
import { freePort, type LocalWorker, startLocalWorker } from "../e2e/support/worker";

// Where the admin commands find the Worker and token (flags > environment > config file),
// and their errors: what happened, why, how to fix; exit code 1; no stack trace.

let w: LocalWorker;
let foreign: Server;
let foreignUrl: string;
const dir = mkdtempSync(join(tmpdir(), "palisade-cli-errors-"));

beforeAll(async () => {
  w = await startLocalWorker();
  // Something that is not Palisade: a site's origin answering HTML.
  foreign = createServer((_, res) => {
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<h1>Not Found</h1>");
  });
  await new Promise<void>((r) => foreign.listen(0, "127.0.0.1", r));
  const addr = foreign.address();
  foreignUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
}, 90_000);
afterAll(async () => {
  foreign?.close();
  await w?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function expectUserError(r: { status: number | null; stderr: string }, what: RegExp): void {
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).toMatch(/\n {2}why: .+\n {2}fix: .+/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

function configFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("where the CLI finds the Worker", { timeout: 120_000 }, () => {
  it("reads flags, else the environment, else the config file (each naming its source)", async () => {
    const good = configFile("good.yaml", `url: ${w.base}\ntoken: "${w.adminToken}"\n`);
    const viaFile = await runCli(["machines", "list", "--config", good]);
    expect(viaFile.status, viaFile.stderr).toBe(0);
    expect(viaFile.stdout).toMatch(/^No machines\./);

    const viaEnvConfig = await runCli(["machines", "list"], { env: { PALISADE_CONFIG: good } });
    expect(viaEnvConfig.status).toBe(0);

    // The default file: $XDG_CONFIG_HOME/palisade/cli.yaml.
    const xdg = join(dir, "xdg");
    mkdirSync(join(xdg, "palisade"), { recursive: true });
    writeFileSync(join(xdg, "palisade", "cli.yaml"), `url: ${w.base}\ntoken: ${w.adminToken}\n`);
    expect((await runCli(["machines", "list"], { env: { XDG_CONFIG_HOME: xdg } })).status).toBe(0);

    // The environment beats the file, and the error says where the bad token came from.
    const envWins = await runCli(["machines", "list", "--config", good], {
      env: { PALISADE_TOKEN: "wrong-token" },
    });
    expectUserError(
      envWins,
      /cannot list the machines: the admin token was refused \(403 forbidden\)/,
    );
    expect(envWins.stderr).toMatch(
      /why: the token from PALISADE_TOKEN is not the PALISADE_ADMIN_TOKEN of http:\/\/127\.0\.0\.1:\d+\./,
    );

    // A flag beats the environment.
    const flagWins = await runCli(["machines", "list", "--token", w.adminToken], {
      env: { PALISADE_URL: w.base, PALISADE_TOKEN: "wrong-token" },
    });
    expect(flagWins.status).toBe(0);
    const flagWrong = await runCli(["machines", "list", "--url", w.base, "--token", "nope"]);
    expect(flagWrong.stderr).toMatch(/the token from --token is not/);
  });

  it("accepts the URL as a bouncer's api_url (…/_palisade/)", async () => {
    const r = await runCli([
      "bouncers",
      "list",
      "--url",
      `${w.base}/_palisade/`,
      "--token",
      w.adminToken,
    ]);
    expect(r.status, r.stderr).toBe(0);
  });

  it("explains a missing URL or token, and bad config files", async () => {
    expectUserError(await runCli(["decisions", "list"]), /^palisade: no Palisade URL\./);
    expectUserError(
      await runCli(["decisions", "list"], { env: { PALISADE_URL: w.base } }),
      /^palisade: no admin token\./,
    );
    expectUserError(
      await runCli(["decisions", "list", "--url", "127.0.0.1:8787", "--token", "x"]),
      /"127\.0\.0\.1:8787" \(from --url\) is not an http\(s\) URL\./,
    );
    expectUserError(
      await runCli(["decisions", "list", "--config", join(dir, "missing.yaml")]),
      /cannot read the config file .*missing\.yaml \(ENOENT\)/,
    );
    const typo = configFile("typo.yaml", `url: ${w.base}\ntokne: x\n`);
    const r = await runCli(["decisions", "list", "--config", typo]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has an unknown key "tokne"; it knows url and token\./);
    const bad = configFile("bad.yaml", "url: [\n");
    expect((await runCli(["decisions", "list", "--config", bad])).stderr).toMatch(
      /bad\.yaml is not valid YAML/,
    );
  });
});

describe("errors from the Worker", { timeout: 120_000 }, () => {
  const env = () => ({ PALISADE_URL: w.base, PALISADE_TOKEN: w.adminToken });

  it("names an unreachable Worker and where its URL came from", async () => {
    const port = await freePort();
    const r = await runCli(["alerts", "list"], {
      env: { PALISADE_URL: `http://127.0.0.1:${port}`, PALISADE_TOKEN: "x" },
    });
    expectUserError(
      r,
      /cannot list the alerts: the Worker at http:\/\/127\.0\.0\.1:\d+ did not answer \(ECONNREFUSED\)\./,
    );
    expect(r.stderr).toMatch(/it comes from PALISADE_URL/);
    expect(r.stderr).toMatch(/npm start/);
  });

  it("tells a foreign server from Palisade", async () => {
    const r = await runCli(["decisions", "list", "--url", foreignUrl, "--token", "x"]);
    expectUserError(r, /answered HTTP 404 \(text\/html\), not Palisade's admin API\./);
  });

  it("explains a token the API cannot read (401)", async () => {
    const r = await runCli(["decisions", "list", "--url", w.base, "--token", "two words"]);
    expectUserError(r, /the API answered 401 unauthenticated at headers\.authorization\./);
    expect(r.stderr).toMatch(/fix: give the admin token with --token, PALISADE_TOKEN/);
  });

  it("maps the API's error path back to the flag to correct", async () => {
    const ip = await runCli(["decisions", "add", "--ip", "300.1.2.3"], { env: env() });
    expectUserError(
      ip,
      /cannot add the decision: the API answered 422 invalid_request at body\.ip\./,
    );
    expect(ip.stderr).toMatch(/why: body\.ip: "300\.1\.2\.3" is not a valid Ip value/);
    expect(ip.stderr).toMatch(/fix: correct --ip and run the command again\./);

    const dur = await runCli(["decisions", "add", "--ip", "192.0.2.1", "--duration", "1d"], {
      env: env(),
    });
    expectUserError(dur, /422 invalid_body at body\.duration\./);
    expect(dur.stderr).toMatch(/fix: correct --duration/);

    const since = await runCli(["alerts", "list", "--since", "yesterday"], { env: env() });
    expectUserError(since, /422 invalid_query at query\.since/);
    expect(since.stderr).toMatch(/why: query\.since: "yesterday" is neither a duration/);
    expect(since.stderr).toMatch(/fix: correct --since/);

    const allow = await runCli(["allowlist", "add", "not-an-ip"], { env: env() });
    expectUserError(allow, /at body\.value/);
    expect(allow.stderr).toMatch(/fix: correct the IP\|CIDR argument/);
  });

  it("asks for --force before a decision or entry that looks like a mistake, saying what would happen", async () => {
    // Every rule is covered by test/workers/api-admin-guard.test.ts; here, the CLI's side.
    const cases: [string[], RegExp][] = [
      [
        ["decisions", "add", "--range", "0.0.0.0/1"],
        /0\.0\.0\.0\/1 covers 2147483648 addresses \(50% of IPv4\)/,
      ],
      [
        ["allowlist", "add", "0.0.0.0/0"],
        /allowlisting 0\.0\.0\.0\/0 covers 4294967296 addresses .* every active decision inside it is lifted/,
      ],
    ];
    for (const [args, what] of cases) {
      const r = await runCli(args, { env: env() });
      expectUserError(r, /422 force_required/);
      expect(r.stderr, args.join(" ")).toMatch(what);
      expect(r.stderr).toMatch(
        /fix: if that is what you want, run the command again with --force\./,
      );
    }
    const forced = await runCli(["decisions", "add", "--ip", "10.0.0.5", "--force"], {
      env: env(),
    });
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/Decision \d+ added: ban on Ip:10\.0\.0\.5/);
    await runCli(["decisions", "delete", "--ip", "10.0.0.5"], { env: env() });
  });

  it("explains unknown ids with the command that lists them", async () => {
    const alert = await runCli(["alerts", "inspect", "999999"], { env: env() });
    expectUserError(
      alert,
      /cannot inspect alert 999999: the API answered 404 not_found at params\.id\./,
    );
    expect(alert.stderr).toMatch(/why: No alert 999999\./);
    expect(alert.stderr).toMatch(/fix: list the alerts with palisade alerts list\./);
    const dec = await runCli(["decisions", "delete", "--id", "999999"], { env: env() });
    expectUserError(dec, /404 not_found/);
    expect(dec.stderr).toMatch(/palisade decisions list/);
    const word = await runCli(["alerts", "inspect", "seven"], { env: env() });
    expectUserError(word, /400 invalid_id at params\.id/);
    expect(word.stderr).toMatch(/fix: correct the alert ID/);
  });

  it("refuses bad flags before calling the API", async () => {
    const everything = await runCli(["decisions", "delete"], { env: env() });
    expect(everything.status).toBe(1);
    expect(everything.stderr).toMatch(/decisions delete needs --id N, a filter, or --all\./);
    const two = await runCli(["decisions", "add", "--ip", "192.0.2.1", "--range", "192.0.2.0/24"], {
      env: env(),
    });
    expect(two.stderr).toMatch(/decisions add needs exactly one target/);
    const out = await runCli(["decisions", "list", "-o", "yaml"], { env: env() });
    expect(out.stderr).toMatch(/-o "yaml" is not an output format/);
    const unknown = await runCli(["decisions", "list", "--colour"], { env: env() });
    expect(unknown.status).toBe(1);
    expectUserError(unknown, /unknown flag --colour for palisade decisions list\./);
    const verb = await runCli(["alerts", "delete"], { env: env() });
    expectUserError(
      verb,
      /unknown command "palisade alerts delete"\.\n {2}why: palisade alerts has list, inspect\./,
    );
    expect((await runCli(["bouncers", "add"], { env: env() })).stderr).toMatch(/missing NAME/);
  });
});
