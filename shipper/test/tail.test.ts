import {
  appendFileSync,
  closeSync,
  copyFileSync,
  openSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Sink, startSink } from "./sink";
import {
  fileSource,
  makeLines,
  memoryLog,
  onCleanup,
  startShipper,
  tempDir,
  testConfig,
  waitFor,
} from "./support";

async function sink(): Promise<Sink> {
  const s = await startSink();
  onCleanup(() => s.down());
  return s;
}

const text = (lines: string[]) => lines.map((l) => `${l}\n`).join("");

/** Lines of `tag`, in the order the sink accepted them. */
function linesOf(s: Sink, tag: string): string[] {
  return s.lines().filter((l) => l.startsWith(`${tag} `));
}

describe("file tailing", () => {
  it("ships existing and appended lines, in order, each once, with the source's type and labels", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, text(makeLines("a", 120)));
    await startShipper(
      testConfig(s.url, join(dir, "state"), [fileSource([log], { labels: { env: "test" } })]),
    );
    await waitFor("first lines", () => s.lines().length === 120);
    appendFileSync(log, text(makeLines("a", 30, 120)));
    await waitFor("appended lines", () => s.lines().length === 150);
    expect(s.lines()).toEqual(makeLines("a", 150));
    expect(s.accepted[0]?.source).toEqual({ type: "nginx", labels: { env: "test" } });
    expect(s.attempts.every((a) => a.gzip)).toBe(true);
  });

  it("cuts lines past max_line_bytes to what the Worker's ingest schema accepts", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    // 200,000 ASCII characters, and 40,000 two-byte ones (80,000 bytes).
    writeFileSync(log, text([`L ${"x".repeat(200_000)}`, `W ${"é".repeat(40_000)}`, "after"]));
    const batch = { maxLines: 50, maxBytes: 512 * 1024, maxWaitMs: 20 };
    await startShipper(testConfig(s.url, join(dir, "state"), [fileSource([log])], { batch }));
    await waitFor("the three lines", () => s.lines().length === 3);
    // The sink validates with ingestBatchSchema: a line over MAX_LINE_CHARS would be a 422.
    expect(s.attempts.map((a) => a.status)).toEqual(s.attempts.map(() => 200));
    const [ascii, wide, after] = s.lines();
    expect(Buffer.byteLength(ascii ?? "")).toBe(65_536);
    expect(Buffer.byteLength(wide ?? "")).toBeLessThanOrEqual(65_536);
    expect(wide?.length).toBeGreaterThan(30_000);
    expect(after).toBe("after");
  });

  it("holds a partial last line until its newline arrives", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, "complete one\nhalf of a li");
    const shipper = await startShipper(testConfig(s.url, join(dir, "state"), [fileSource([log])]));
    await waitFor("the complete line", () => s.lines().length === 1);
    // Several polls and flushes pass: the partial line must still be held back.
    await waitFor("a few polls", () => shipper.metrics.batchesAcked >= 1);
    await new Promise((r) => setTimeout(r, 120));
    expect(s.lines()).toEqual(["complete one"]);
    appendFileSync(log, "ne, now complete\n");
    await waitFor("the completed line", () => s.lines().length === 2);
    expect(s.lines()).toEqual(["complete one", "half of a line, now complete"]);
  });

  it("follows rename rotation while the writer keeps writing: nothing lost, nothing twice", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    const fd = openSync(log, "a");
    writeSync(fd, text(makeLines("old", 100)));
    await startShipper(testConfig(s.url, join(dir, "state"), [fileSource([log])]));
    await waitFor("old lines", () => s.lines().length === 100);
    renameSync(log, `${log}.1`);
    // The writer has not reopened yet: it keeps appending to the renamed file.
    writeSync(fd, text(makeLines("old", 50, 100)));
    const fd2 = openSync(log, "a");
    writeSync(fd2, text(makeLines("new", 80)));
    writeSync(fd, text(makeLines("old", 25, 150)));
    closeSync(fd);
    writeSync(fd2, text(makeLines("new", 20, 80)));
    closeSync(fd2);
    await waitFor("all lines", () => s.lines().length === 275);
    expect(linesOf(s, "old")).toEqual(makeLines("old", 175));
    expect(linesOf(s, "new")).toEqual(makeLines("new", 100));
  });

  it("survives two rename rotations in a row (a glob matching the rotated names included)", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, text(makeLines("g1", 40)));
    await startShipper(testConfig(s.url, join(dir, "state"), [fileSource([`${log}*`])]));
    await waitFor("generation 1", () => s.lines().length === 40);
    renameSync(log, `${log}.1`);
    writeFileSync(log, text(makeLines("g2", 40)));
    appendFileSync(`${log}.1`, text(makeLines("g1", 5, 40)));
    await waitFor("generation 2", () => s.lines().length === 85);
    renameSync(`${log}.1`, `${log}.2`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, text(makeLines("g3", 40)));
    appendFileSync(`${log}.1`, text(makeLines("g2", 5, 40)));
    await waitFor("generation 3", () => s.lines().length === 130);
    expect(linesOf(s, "g1")).toEqual(makeLines("g1", 45));
    expect(linesOf(s, "g2")).toEqual(makeLines("g2", 45));
    expect(linesOf(s, "g3")).toEqual(makeLines("g3", 40));
  });

  it("handles copytruncate: after the copy and truncation the new lines are read from offset 0", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    const fd = openSync(log, "a");
    writeSync(fd, text(makeLines("before", 60)));
    const shipper = await startShipper(testConfig(s.url, join(dir, "state"), [fileSource([log])]));
    await waitFor("lines before", () => s.lines().length === 60);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    // O_APPEND writer: the next write lands at the new end, offset 0.
    writeSync(fd, text(makeLines("after", 30)));
    await waitFor("lines after", () => s.lines().length === 90);
    writeSync(fd, text(makeLines("after", 10, 30)));
    closeSync(fd);
    await waitFor("more lines after", () => s.lines().length === 100);
    expect(s.lines()).toEqual([...makeLines("before", 60), ...makeLines("after", 40)]);
    expect(shipper.metrics.linesRead).toBe(100);
  });

  it("reads a file rewritten in place while stopped (same inode, now longer) from its start", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, text(makeLines("first", 10)));
    const shipper = await startShipper(
      testConfig(s.url, join(dir, "state"), [fileSource([log])], { pollIntervalMs: 60_000 }),
      { watch: false },
    );
    await waitFor("first lines", () => s.lines().length === 10);
    // No watch and a slow poll: truncation and rewrite happen unseen, the file ends longer.
    writeFileSync(log, text(makeLines("second", 30)));
    await shipper.stop();
    const again = await startShipper(testConfig(s.url, join(dir, "state"), [fileSource([log])]));
    await waitFor("second lines", () => s.lines().length === 40);
    expect(linesOf(s, "second")).toEqual(makeLines("second", 30));
    expect(again.metrics.linesRead).toBe(30);
  });

  it("reads a file deleted and recreated under the same name from its start", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, text(makeLines("one", 20)));
    await startShipper(testConfig(s.url, join(dir, "state"), [fileSource([log])]));
    await waitFor("first file", () => s.lines().length === 20);
    unlinkSync(log);
    writeFileSync(log, text(makeLines("two", 5)));
    await waitFor("second file", () => s.lines().length === 25);
    appendFileSync(log, text(makeLines("two", 5, 5)));
    await waitFor("second file appended", () => s.lines().length === 30);
    expect(s.lines()).toEqual([...makeLines("one", 20), ...makeLines("two", 10)]);
  });

  it("picks up new files matching a glob, and ignores compressed rotated files", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    writeFileSync(join(dir, "a.log"), text(makeLines("a", 5)));
    writeFileSync(join(dir, "old.log.gz"), "not text\n");
    writeFileSync(join(dir, "b.log.1.gz"), "compressed\n");
    await startShipper(testConfig(s.url, join(dir, "state"), [fileSource([join(dir, "*.log*")])]));
    await waitFor("a.log", () => s.lines().length === 5);
    writeFileSync(join(dir, "b.log"), text(makeLines("b", 7)));
    writeFileSync(join(dir, "c.log.3.gz"), "compressed too\n");
    await waitFor("b.log", () => s.lines().length === 12);
    expect(linesOf(s, "b")).toEqual(makeLines("b", 7));
    expect(s.lines().some((l) => l.includes("compressed") || l.includes("not text"))).toBe(false);
  });

  it("follows files by the fallback poll alone when directory watches are unavailable", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, text(makeLines("p", 3)));
    await startShipper(
      testConfig(s.url, join(dir, "state"), [fileSource([log])], { pollIntervalMs: 20 }),
      { watch: false },
    );
    await waitFor("initial", () => s.lines().length === 3);
    appendFileSync(log, text(makeLines("p", 3, 3)));
    renameSync(log, `${log}.1`);
    writeFileSync(log, text(makeLines("q", 2)));
    await waitFor("after rotation", () => s.lines().length === 8);
    expect(linesOf(s, "p")).toEqual(makeLines("p", 6));
    expect(linesOf(s, "q")).toEqual(makeLines("q", 2));
  });

  it("start_at end skips what a file already holds on the very first run only", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    const log = join(dir, "access.log");
    writeFileSync(log, `${text(makeLines("history", 50))}half`);
    const src = fileSource([log], { startAt: "end" });
    const log1 = memoryLog();
    const first = await startShipper(testConfig(s.url, join(dir, "state"), [src]), { log: log1 });
    await waitFor("following", () => log1.has("info", "following file"));
    appendFileSync(log, " line\n");
    appendFileSync(log, text(makeLines("live", 4)));
    await waitFor("live lines", () => s.lines().length === 4);
    await first.stop();
    appendFileSync(log, text(makeLines("live", 2, 4)));
    await startShipper(testConfig(s.url, join(dir, "state"), [src]));
    await waitFor("lines written while stopped", () => s.lines().length === 6);
    expect(s.lines()).toEqual(makeLines("live", 6));
  });
});
