/**
 * Standard input as a source (`tail -F x | palisade-ship …`, or `--once -`). A pipe has no
 * position to resume from: what was read and spooled is delivered, what is still in the
 * pipe when the shipper dies is the writer's to resend.
 */
import type { Readable } from "node:stream";
import type { Batcher } from "../delivery/batcher";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import { streamLines } from "./stream-lines";

export interface StdinDeps {
  batcher: Batcher;
  gate: () => Promise<void> | undefined;
  metrics: Metrics;
  log: Logger;
  maxLineBytes: number;
  input: Readable;
}

export class StdinSource {
  /** Resolves at the end of the input. */
  readonly ended: Promise<void>;
  private done!: () => void;

  constructor(private readonly d: StdinDeps) {
    this.ended = new Promise((r) => {
      this.done = r;
    });
  }

  start(): void {
    const t = streamLines(this.d.input, {
      maxLineBytes: this.d.maxLineBytes,
      gate: this.d.gate,
      onLine: (src, start, end) => {
        this.d.metrics.linesRead++;
        this.d.batcher.add(src, start, end, null, 0);
      },
      onEnd: () => {
        this.d.metrics.linesTruncated += t.truncated();
        this.done();
      },
      onError: (e) => {
        this.d.log.error("cannot read standard input", { reason: e.message });
        this.done();
      },
    });
  }

  stop(): void {
    this.d.input.pause();
    this.done();
  }
}
