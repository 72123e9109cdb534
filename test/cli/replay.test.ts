import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fixtures, jsonLines, palisade } from "./run";

const scen = [
  "--scenarios",
  `${fixtures}probe-scenario.yaml`,
  "--profiles",
  `${fixtures}ban-profile.yaml`,
];

describe("palisade replay", () => {
  it("prints the alert a probing source raises, with its decision, in the contract's shape", () => {
    const r = palisade(["replay", "--type", "nginx", ...scen, `${fixtures}probe.log`]);
    expect(r.status).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([
      {
        scenario: "test/http-404-probe",
        source_ip: "203.0.113.7",
        events_count: 11,
        start_at: "2025-03-10T14:00:00.000Z",
        stop_at: "2025-03-10T14:00:05.000Z",
        decisions: [{ type: "ban", scope: "Ip", value: "203.0.113.7", duration: "1h" }],
      },
    ]);
    expect(r.stderr).toMatch(/lines read=21 parsed=20 unparsed=1 alerts=1/);
    expect(r.stderr).toMatch(/lines_per_s=\d+/);
  });

  it("reads gzip files and standard input the same way", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-cli-"));
    const gz = join(dir, "probe.log.gz");
    writeFileSync(gz, gzipSync(readFileSync(`${fixtures}probe.log`)));
    const plain = palisade(["replay", "--type", "nginx", ...scen, `${fixtures}probe.log`]);
    const zipped = palisade(["replay", "--type", "nginx", ...scen, gz]);
    const stdin = palisade(
      ["replay", "--type", "nginx", ...scen, "-"],
      readFileSync(`${fixtures}probe.log`),
    );
    expect(zipped.stdout).toBe(plain.stdout);
    expect(stdin.stdout).toBe(plain.stdout);
  });

  it("reads every line of a file spanning many read chunks (no chunk dropped)", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-cli-"));
    const big = join(dir, "big.log");
    const base = readFileSync(`${fixtures}probe.log`, "utf8");
    const copies = Math.ceil((3 * 1024 * 1024) / base.length);
    writeFileSync(big, base.repeat(copies));
    const r = palisade(["replay", "--type", "nginx", ...scen, big]);
    expect(r.stderr).toMatch(new RegExp(`lines read=${21 * copies} parsed=${20 * copies} `));
    const gz = `${big}.gz`;
    writeFileSync(gz, gzipSync(readFileSync(big)));
    expect(palisade(["replay", "--type", "nginx", ...scen, gz]).stderr).toMatch(
      new RegExp(`lines read=${21 * copies} `),
    );
  });

  it("marks an allowlisted source's alert and gives it no decision", () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-cli-"));
    const allow = join(dir, "allow.yaml");
    writeFileSync(allow, "allowlist:\n  - cidr: 203.0.113.0/24\n    reason: our office\n");
    const r = palisade([
      "replay",
      "--type",
      "nginx",
      ...scen,
      "--allowlist",
      allow,
      `${fixtures}probe.log`,
    ]);
    expect(r.status).toBe(0);
    const [line] = jsonLines(r.stdout);
    expect(line).toMatchObject({ source_ip: "203.0.113.7", allowlisted: true, decisions: [] });
  });

  it("refuses broken scenario files, listing every problem, and runs nothing", () => {
    const r = palisade([
      "replay",
      "--type",
      "nginx",
      "--scenarios",
      `${fixtures}broken-scenario.yaml`,
      `${fixtures}probe.log`,
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/broken-scenario\.yaml/);
    expect(r.stderr).toMatch(/capacity/);
    expect(r.stderr).toMatch(/leakspeed/);
    expect(r.stderr).toMatch(/nothing was run/);
  });
});

describe("palisade scenarios lint", () => {
  it("reports every problem in a file at once and exits 1", () => {
    const r = palisade(["scenarios", "lint", `${fixtures}broken-scenario.yaml`]);
    expect(r.status).toBe(1);
    const problems = r.stdout.split("\n").filter((l) => l.startsWith("error:"));
    expect(problems.length).toBeGreaterThanOrEqual(4);
    expect(r.stdout).toMatch(/#0.*filter/);
    expect(r.stdout).toMatch(/#0.*capacity/);
    expect(r.stdout).toMatch(/#0.*leakspeed/);
    expect(r.stdout).toMatch(/#1.*type/);
  });

  it("passes a valid file", () => {
    const r = palisade(["scenarios", "lint", `${fixtures}probe-scenario.yaml`]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/1 file\(s\), 0 error\(s\)/);
  });
});
