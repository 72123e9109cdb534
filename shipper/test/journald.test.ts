import { appendFileSync, chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SourceConfig } from "../src/config/source-config";
import { cursorOf, journalctlArgs } from "../src/sources/journald";
import { type Sink, startSink } from "./sink";
import { memoryLog, onCleanup, startShipper, tempDir, testConfig, waitFor } from "./support";

/** A recorded `journalctl -o json` sample (sshd, cron, sudo, kernel, a non-UTF-8 message). */
const SAMPLE = readFileSync(new URL("./fixtures/journal.jsonl", import.meta.url), "utf8")
  .trimEnd()
  .split("\n");

async function sink(): Promise<Sink> {
  const s = await startSink();
  onCleanup(() => s.down());
  return s;
}

/**
 * A stand-in for journalctl: prints the entries of a journal file (one JSON per line) after
 * `--after-cursor`, or none with `--lines=0`, then follows the file; records its arguments.
 */
function fakeJournalctl(dir: string, journal: string): { path: string; calls: () => string[][] } {
  const path = join(dir, "journalctl");
  const calls = join(dir, "calls.jsonl");
  writeFileSync(calls, "");
  writeFileSync(
    path,
    `#!${process.execPath}
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(calls)}, JSON.stringify(args) + "\\n");
const read = () => fs.readFileSync(${JSON.stringify(journal)}, "utf8").split("\\n").filter(Boolean);
const after = args.find((a) => a.startsWith("--after-cursor="));
let next = after ? read().findIndex((l) => JSON.parse(l).__CURSOR === after.slice(15)) + 1 : args.includes("--lines=0") ? read().length : 0;
const pump = () => { const all = read(); for (; next < all.length; next++) process.stdout.write(all[next] + "\\n"); };
pump();
setInterval(pump, 10);
`,
  );
  chmodSync(path, 0o755);
  return {
    path,
    calls: () =>
      readFileSync(calls, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as string[]),
  };
}

function journaldSource(extra: Partial<SourceConfig> = {}): SourceConfig {
  return {
    kind: "journald",
    type: "journald",
    labels: {},
    paths: [],
    exclude: [],
    startAt: "beginning",
    journalctlFilter: ["_SYSTEMD_UNIT=ssh.service"],
    id: "journald:_SYSTEMD_UNIT=ssh.service",
    ...extra,
  };
}

describe("journald", () => {
  it("reads the cursor of every entry of the recorded sample", () => {
    for (const line of SAMPLE) expect(cursorOf(line)).toBe(JSON.parse(line).__CURSOR);
    // Older journalctl writes `"__CURSOR" : "…"`; a line cut at max_line_bytes keeps it.
    expect(cursorOf('{ "__CURSOR" : "s=1;i=2", "MESSAGE" : "x" }')).toBe("s=1;i=2");
    expect(cursorOf((SAMPLE[6] as string).slice(0, 200))).toBe(
      JSON.parse(SAMPLE[6] as string).__CURSOR,
    );
    expect(cursorOf('{"MESSAGE":"no cursor"}')).toBeUndefined();
  });

  it("builds journalctl's arguments from the cursor, start_at and filters", () => {
    expect(journalctlArgs("s=1;i=2", "end", ["_SYSTEMD_UNIT=ssh.service"])).toEqual([
      "--output=json",
      "--follow",
      "--no-pager",
      "--after-cursor=s=1;i=2",
      "_SYSTEMD_UNIT=ssh.service",
    ]);
    expect(journalctlArgs(undefined, "end", [])).toContain("--lines=0");
    expect(journalctlArgs(undefined, "beginning", [])).toContain("--no-tail");
  });

  it("ships raw entries and resumes after the last acknowledged cursor on restart", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const journal = join(dir, "journal.jsonl");
    writeFileSync(journal, `${SAMPLE.slice(0, 6).join("\n")}\n`);
    const fake = fakeJournalctl(dir, journal);
    const cfg = testConfig(s.url, join(dir, "state"), [journaldSource()], {
      journalctlPath: fake.path,
    });
    const first = await startShipper(cfg);
    await waitFor("the first entries", () => s.lines().length === 6);
    appendFileSync(journal, `${SAMPLE[6]}\n`);
    await waitFor("a followed entry", () => s.lines().length === 7);
    await first.stop();
    appendFileSync(journal, `${SAMPLE.slice(7).join("\n")}\n`);
    await startShipper(cfg);
    await waitFor("the rest", () => s.lines().length === SAMPLE.length);
    expect(s.lines()).toEqual(SAMPLE);
    expect(s.accepted[0]?.source.type).toBe("journald");
    const calls = fake.calls();
    expect(calls[0]).toEqual([
      "--output=json",
      "--follow",
      "--no-pager",
      "--no-tail",
      "_SYSTEMD_UNIT=ssh.service",
    ]);
    expect(calls[1]).toContain(`--after-cursor=${JSON.parse(SAMPLE[6] as string).__CURSOR}`);
  });

  it("says journalctl is missing, keeps running and retries", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = memoryLog();
    const cfg = testConfig(s.url, join(dir, "state"), [journaldSource()], {
      journalctlPath: join(dir, "no-such-journalctl"),
    });
    await startShipper(cfg, { log });
    await waitFor("the error", () => log.has("error", "journalctl stopped"));
    const e = log.entries.find((x) => x.msg.includes("journalctl stopped"));
    expect(String(e?.fields?.detail)).toContain("set journalctl_path");
  });
});
