import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixtures, palisade, root } from "./run";

/** Every user error is told the same way: what, then why and fix, no stack trace, exit 1. */
function expectProblem(r: { status: number | null; stderr: string }, what: RegExp): void {
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^palisade: .+\n {2}why: .+\n {2}fix: .+\n$/);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Every command, as typed. */
const COMMANDS = [
  ["parse"],
  ["replay"],
  ["scenarios", "lint"],
  ["decisions", "list"],
  ["decisions", "add"],
  ["decisions", "delete"],
  ["alerts", "list"],
  ["alerts", "inspect"],
  ["allowlist", "list"],
  ["allowlist", "add"],
  ["allowlist", "remove"],
  ["bouncers", "list"],
  ["bouncers", "add"],
  ["bouncers", "delete"],
  ["machines", "list"],
  ["machines", "add"],
  ["machines", "delete"],
  ["metrics"],
  ["dlq", "list"],
  ["dlq", "replay"],
  ["dlq", "delete"],
  ["scenarios", "add"],
  ["scenarios", "list"],
  ["scenarios", "simulate"],
  ["scenarios", "rollback"],
  ["parsers", "add"],
  ["profiles", "set"],
  ["collections", "install"],
  ["export"],
  ["import"],
  ["doctor"],
];

describe("one error style for every command", () => {
  it("--help on every command prints its own usage on stdout and exits 0", () => {
    for (const cmd of COMMANDS) {
      const help = cmd[0] === "alerts" ? "-h" : "--help";
      const r = palisade([...cmd, help, "--colour"]);
      expect(r.status, `${cmd.join(" ")} ${help}`).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(/^Usage:\n/);
      expect(r.stdout).toContain(`palisade ${cmd.join(" ")}`);
    }
  }, 120_000);

  it("an unknown flag names the command, what it takes and the nearest flag", () => {
    // One command per way in: the log commands, lint, a noun's verb, metrics.
    for (const cmd of [["parse"], ["scenarios", "lint"], ["bouncers", "add"], ["metrics"]]) {
      const r = palisade([...cmd, "--colour"]);
      expectProblem(r, new RegExp(`unknown flag --colour for palisade ${cmd.join(" ")}\\.`));
      expect(r.stderr).toMatch(/why: it takes --/);
    }
    expectProblem(palisade(["parse", "--tpye", "nginx"]), /fix: did you mean --type\?/);
    expectProblem(palisade(["decisions", "list", "--ipp", "192.0.2.1"]), /did you mean --ip\?/);
    expectProblem(palisade(["replay", "--scenario", "x", "-"]), /did you mean --scenarios\?/);
    expectProblem(palisade(["parse", "--type"]), /^palisade: --type needs a value\./);
  }, 60_000);

  it("unknown commands, verbs and types get a did-you-mean", () => {
    expectProblem(palisade(["pasre"]), /fix: did you mean palisade parse\?/);
    expectProblem(palisade(["decisoins", "list"]), /fix: did you mean palisade decisions\?/);
    expectProblem(palisade(["bouncers", "ad", "x"]), /fix: did you mean palisade bouncers add\?/);
    expectProblem(palisade(["scenarios", "lnt"]), /fix: did you mean palisade scenarios lint\?/);
    expectProblem(
      palisade(["parse", "--type", "ngnix", `${fixtures}probe.log`]),
      /fix: did you mean --type nginx\?/,
    );
    expectProblem(palisade(["parse", "--type", "nginx", "/nonexistent.log"]), /no such file/);
  }, 60_000);

  it("palisade --version prints the package version", () => {
    const { version } = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as {
      version: string;
    };
    for (const flag of ["--version", "-V", "version"]) {
      const r = palisade([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`palisade ${version}\n`);
    }
  });

  it("palisade parse … | head: exits 0 quietly when the reader goes away (EPIPE)", async () => {
    const line = `203.0.113.7 - - [10/Mar/2025:14:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "x"\n`;
    const child = spawn(process.execPath, [`${root}bin/palisade.mjs`, "parse", "--type", "nginx"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.once("data", () => child.stdout.destroy());
    child.stdin.on("error", () => {});
    child.stdin.end(line.repeat(200_000));
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("a parse rate near 0 % warns that --type may be wrong and names the type that reads the lines", () => {
    const auth = `${"Feb 12 14:10:21 web-01 sshd[4001]: Failed password for root from 203.0.113.9 port 40000 ssh2\n".repeat(12)}`;
    const wrong = palisade(["parse", "--type", "nginx"], auth);
    expect(wrong.status).toBe(0);
    expect(wrong.stderr).toMatch(
      /warning: only 0 of 12 lines \(0\.0 %\) parsed as nginx: --type nginx may be wrong; 12 of 12 unparsed lines sampled parse as syslog: try --type syslog/,
    );
    const replay = palisade(["replay", "--type", "apache2", "-"], auth);
    expect(replay.stderr).toMatch(/--type apache2 may be wrong; .* try --type syslog/);
    const right = palisade(["parse", "--type", "nginx", `${fixtures}probe.log`]);
    expect(right.stderr).not.toMatch(/warning/);
    const junk = palisade(["parse", "--type", "nginx"], "not a log line\n".repeat(10));
    expect(junk.stderr).toMatch(/none of the built-in types .* reads them either/);
  }, 60_000);
});
