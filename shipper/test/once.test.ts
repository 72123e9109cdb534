import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runOnce } from "../src/cli/once";
import { sleepReal, systemClock } from "../src/clock";
import type { Outcome, Transport } from "../src/delivery/transport";
import { Metrics } from "../src/metrics";
import { makeLines, memoryLog, tempDir, waitFor } from "./support";

/** A Worker that answers only when told to, recording what it was sent. */
function heldTransport(): Transport & { posts: number; release: () => void } {
  let open: (() => void) | undefined;
  const t = {
    posts: 0,
    release: () => open?.(),
    post: async (): Promise<Outcome> => {
      t.posts++;
      await new Promise<void>((r) => {
        open = r;
      });
      return { kind: "ok", status: 200, accepted: 1, duplicate: false };
    },
    close: () => {},
  };
  return t;
}

describe("--once", () => {
  it("reads ahead of a slow Worker by a few batches only, whatever the file size", async () => {
    const dir = await tempDir();
    const file = join(dir, "big.log");
    const total = 200_000;
    writeFileSync(file, `${makeLines("x", total).join("\n")}\n`);
    const transport = heldTransport();
    let linesRead = 0;
    const done = runOnce({
      file,
      type: "nginx",
      labels: {},
      hostname: "h",
      batch: { maxLines: 1000, maxBytes: 1_000_000 },
      maxLineBytes: 65_536,
      gzipLevel: 1,
      delivery: {
        transport,
        clock: systemClock,
        random: () => 0.5,
        retry: { initialMs: 1, maxMs: 1 },
        log: memoryLog(),
        metrics: new Metrics(),
      },
      progress: () => ({ update: (_b, lines) => (linesRead = lines), done: () => {} }),
      signal: new AbortController().signal,
    });
    const settled = async () => {
      for (let before = -1; before !== linesRead; await sleepReal(15)) before = linesRead;
    };
    // The Worker answers one batch at a time, slowly: reading must stay a bounded distance
    // ahead (the queued batches plus one 1 MiB read, ~17 batches of these lines).
    for (let shipped = 0; shipped < 30; shipped++) {
      await waitFor("the next request", () => transport.posts === shipped + 1);
      await settled();
      expect(linesRead - shipped * 1000).toBeLessThan(25_000);
      transport.release();
    }
    for (let shipped = 30; shipped < total / 1000; shipped++) {
      await waitFor("the next request", () => transport.posts === shipped + 1);
      transport.release();
    }
    const r = await done;
    expect(r).toMatchObject({
      lines: total,
      batches: total / 1000,
      accepted: total / 1000,
      interrupted: false,
    });
  });
});
