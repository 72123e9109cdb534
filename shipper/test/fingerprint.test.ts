import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { systemClock } from "../src/clock";
import { type Batch, Batcher, type FilePosition } from "../src/delivery/batcher";
import { Metrics } from "../src/metrics";
import { FileTracker, type StartAt, type TrackerDeps } from "../src/sources/file-tracker";
import { hashOf } from "../src/sources/head-print";
import { makeLines, memoryLog, tempDir } from "./support";

const text = (lines: string[]) => lines.map((l) => `${l}\n`).join("");

function deps(gate: () => undefined = () => undefined) {
  const batches: Batch[] = [];
  const log = memoryLog();
  const batcher = new Batcher(
    { type: "nginx", labels: {} },
    { maxLines: 10, maxBytes: 1 << 20, maxWaitMs: 60_000 },
    systemClock,
    (b) => batches.push(b),
    () => `b-${batches.length}`,
    undefined,
  );
  const d: TrackerDeps = {
    batcher,
    gate,
    metrics: new Metrics(),
    log,
    clock: systemClock,
    maxLineBytes: 4096,
    buffer: Buffer.alloc(1 << 16),
  };
  return { d, batches, log, batcher };
}

async function open(path: string, at: StartAt, d: TrackerDeps): Promise<FileTracker> {
  const t = await FileTracker.open(path, () => at, d);
  if (t === undefined) throw new Error(`cannot open ${path}`);
  return t;
}

describe("head fingerprint of a position", () => {
  it("covers the bytes read even when the file grew between the stat and the read (a restart resumes, no 'file changed')", async () => {
    const path = join(await tempDir(), "access.log");
    writeFileSync(path, "");
    // The writer appends right after the tracker's stat saw an empty file: the gate runs
    // between the two, as a busy machine would schedule it.
    let appended = false;
    const { d, batches } = deps(() => {
      if (!appended) appendFileSync(path, text(makeLines("g", 40)));
      appended = true;
      return undefined;
    });
    const t = await open(path, { offset: 0, skipPartial: false }, d);
    await t.pump(() => false);
    expect(batches.length).toBeGreaterThan(0);
    const first = batches[0]?.positions[0] as FilePosition;
    expect(first.headLen).toBe(256);
    expect(first.head).toBe(hashOf(Buffer.from(text(makeLines("g", 40))).subarray(0, 256)));
    await t.close(false);

    appendFileSync(path, text(makeLines("g", 5, 40)));
    const again = deps();
    const resumed = await open(
      path,
      { offset: first.offset, skipPartial: false, head: { hash: first.head, len: first.headLen } },
      again.d,
    );
    expect(again.log.has("warn", "file changed since")).toBe(false);
    expect(resumed.lineOffset).toBe(first.offset);
    expect(resumed.takeLostTail()).toBeUndefined();
    await resumed.close(false);
  });

  it("resumes a position recorded with an empty fingerprint (older shippers) without rereading", async () => {
    const path = join(await tempDir(), "access.log");
    writeFileSync(path, text(makeLines("o", 10)));
    const { d, log } = deps();
    const offset = Buffer.byteLength(text(makeLines("o", 4)));
    const t = await open(path, { offset, skipPartial: false, head: { hash: "", len: 0 } }, d);
    expect(log.has("warn", "file changed since")).toBe(false);
    expect(t.lineOffset).toBe(offset);
    await t.close(false);
  });

  it("still tells another file at the recorded offset, and says why", async () => {
    const path = join(await tempDir(), "access.log");
    writeFileSync(path, text(makeLines("new", 50)));
    const { d, log } = deps();
    const head = { hash: hashOf(Buffer.from("something else entirely")), len: 23 };
    const t = await open(path, { offset: 100, skipPartial: false, head }, d);
    expect(t.lineOffset).toBe(0);
    expect(log.entries.find((e) => e.msg.includes("file changed since"))?.fields?.why).toMatch(
      /first 23 bytes/,
    );
    expect(t.takeLostTail()).toEqual({ offset: 100, head });
    await t.close(false);
  });
});
