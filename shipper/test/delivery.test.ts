import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Sink, startSink } from "./sink";
import {
  fileSource,
  makeLines,
  memoryLog,
  onCleanup,
  recordingClock,
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

describe("delivery", () => {
  it("keeps reading while the Worker is down, then delivers everything once, in order per file", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    await s.down();
    writeFileSync(join(dir, "a.log"), text(makeLines("a", 300)));
    writeFileSync(join(dir, "b.log"), text(makeLines("b", 200)));
    const log = memoryLog();
    const shipper = await startShipper(
      testConfig(s.url, join(dir, "state"), [fileSource([join(dir, "*.log")])]),
      { log },
    );
    await waitFor("all lines spooled", () => shipper.metrics.linesSpooled === 500);
    await waitFor("some retries", () => shipper.metrics.retries >= 3);
    expect(s.attempts).toHaveLength(0);
    expect(log.has("warn", "send failed, retrying")).toBe(true);
    await s.up();
    await waitFor("all lines delivered", () => s.lines().length === 500);
    expect(s.lines().filter((l) => l.startsWith("a "))).toEqual(makeLines("a", 300));
    expect(s.lines().filter((l) => l.startsWith("b "))).toEqual(makeLines("b", 200));
    await waitFor("spool drained", () => shipper.metrics.spoolBatches === 0);
    expect(shipper.metrics.linesAcked).toBe(500);
  });

  it("honours 429 Retry-After, then delivers the same batch id once", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    s.failNext(1, { status: 429, headers: { "retry-after": "3" } });
    const clock = recordingClock();
    writeFileSync(join(dir, "a.log"), text(makeLines("a", 10)));
    const shipper = await startShipper(
      testConfig(s.url, join(dir, "state"), [fileSource([join(dir, "a.log")])]),
      { clock },
    );
    await waitFor("delivered", () => s.lines().length === 10);
    expect(clock.sleeps).toContain(3000);
    expect(s.attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(s.attempts[0]?.id).toBe(s.attempts[1]?.id);
    expect(shipper.metrics.retries).toBe(1);
  });

  it("retries 5xx and network errors with growing jittered backoff, capped at retry.max", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    s.failNext(5, { status: 503, body: "overloaded" });
    const clock = recordingClock();
    writeFileSync(join(dir, "a.log"), text(makeLines("a", 3)));
    await startShipper(
      testConfig(s.url, join(dir, "state"), [fileSource([join(dir, "a.log")])], {
        retry: { initialMs: 100, maxMs: 500 },
      }),
      { clock, random: () => 1 },
    );
    await waitFor("delivered", () => s.lines().length === 3);
    // random() = 1 → the top of each jitter range: 100·2^(n-1), capped at 500.
    expect(clock.sleeps.slice(0, 5)).toEqual([100, 200, 400, 500, 500]);
    expect(s.lines()).toEqual(makeLines("a", 3));
  });

  it("sets a batch refused with 400 aside after one attempt and delivers the ones behind it", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    s.failNext(1, { status: 400, body: '{"error":"line 3 is not valid"}' });
    const log = memoryLog();
    const state = join(dir, "state");
    writeFileSync(join(dir, "a.log"), text(makeLines("a", 120)));
    const cfg = testConfig(s.url, state, [fileSource([join(dir, "a.log")])]);
    const shipper = await startShipper(cfg, { log });
    await waitFor("the other batches", () => s.lines().length === 70);
    const refusedId = s.attempts[0]?.id;
    expect(s.attempts.filter((a) => a.id === refusedId)).toHaveLength(1);
    expect(s.lines()).toEqual(makeLines("a", 70, 50));
    expect(shipper.metrics.batchesRejected).toBe(1);
    expect(log.has("error", "refused a batch")).toBe(true);
    const aside = readdirSync(join(state, "rejected"));
    expect(aside).toHaveLength(1);
    const doc = JSON.parse(readFileSync(join(state, "rejected", aside[0] as string), "utf8"));
    expect(doc.status).toBe(400);
    expect(doc.reason).toContain("line 3 is not valid");
    expect(doc.body.lines).toEqual(makeLines("a", 50));
    // Its positions were committed: a restart does not send it again.
    await shipper.stop();
    await startShipper(cfg);
    writeFileSync(join(dir, "a.log"), text(makeLines("a", 121)));
    await waitFor("the next line", () => s.lines().length === 71);
    expect(s.attempts.filter((a) => a.id === refusedId)).toHaveLength(1);
  });

  it("treats 401 as a configuration problem: retried slowly, never set aside", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    s.failNext(2, { status: 401, body: "bad token" });
    const clock = recordingClock();
    const log = memoryLog();
    writeFileSync(join(dir, "a.log"), text(makeLines("a", 5)));
    const shipper = await startShipper(
      testConfig(s.url, join(dir, "state"), [fileSource([join(dir, "a.log")])]),
      { clock, log },
    );
    await waitFor("delivered", () => s.lines().length === 5);
    expect(clock.sleeps.slice(0, 2)).toEqual([50, 50]);
    expect(shipper.metrics.batchesRejected).toBe(0);
    expect(log.has("error", "refused the token")).toBe(true);
  });

  it("stops reading when the spool is full (backpressure), drops nothing, resumes when drained", async () => {
    const [s, dir] = [await sink(), await tempDir()];
    await s.down();
    const log = memoryLog();
    writeFileSync(join(dir, "a.log"), text(makeLines("a", 3000)));
    const maxBytes = 4096;
    const cfg = testConfig(s.url, join(dir, "state"), [fileSource([join(dir, "a.log")])], {
      spool: { maxBytes },
    });
    const shipper = await startShipper(cfg, { log, chunkBytes: 4096 });
    await waitFor("reading paused", () => shipper.metrics.readingPaused);
    expect(log.has("warn", "spool full")).toBe(true);
    const readWhilePaused = shipper.metrics.linesRead;
    await waitFor("retries while paused", () => shipper.metrics.retries >= 5);
    expect(shipper.metrics.linesRead).toBe(readWhilePaused);
    expect(readWhilePaused).toBeLessThan(3000);
    // Bounded: the limit, plus at most the batches cut from the chunk read before pausing.
    expect(shipper.metrics.spoolBytes).toBeLessThan(maxBytes + 6 * 2048);
    await s.up();
    await waitFor("everything delivered", () => s.lines().length === 3000, 20_000);
    expect(s.lines()).toEqual(makeLines("a", 3000));
    expect(log.has("info", "reading resumed")).toBe(true);
    expect(shipper.metrics.backpressureEvents).toBeGreaterThanOrEqual(1);
  });
});
