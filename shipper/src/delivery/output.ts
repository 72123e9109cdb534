/**
 * Where cut batches go: encoded and written to the spool in order (SpoolOutput), or printed
 * (PrintOutput, for --dry-run). `ready()` is the backpressure readers wait on before each
 * read: it holds them while the spool is full or encoding is behind.
 */
import type { Writable } from "node:stream";
import type { Clock } from "../clock";
import { formatBytes } from "../config/units";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import type { Batch } from "./batcher";
import type { Spool } from "./spool";

export interface BatchOutput {
  accept(batch: Batch): void;
  /** Undefined when readers may go on, else a promise resolving when they may. */
  ready(): Promise<void> | undefined;
  /** Resolves once every accepted batch is written. */
  idle(): Promise<void>;
  /** Shutdown: wakes every waiting reader (they see they must stop) and stops holding them. */
  release(): void;
}

/** Batches cut but not yet on disk, beyond which readers wait for the encoder. */
const MAX_QUEUED = 4;

export interface SpoolOutputDeps {
  spool: Spool;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  retryMs: number;
}

export class SpoolOutput implements BatchOutput {
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private waiters: Array<() => void> = [];
  private full = false;
  private released = false;

  constructor(private readonly d: SpoolOutputDeps) {
    d.spool.onDrop = () => this.check();
  }

  accept(batch: Batch): void {
    this.queued++;
    this.chain = this.chain.then(async () => {
      await this.write(batch);
      this.queued--;
      this.check();
    });
  }

  private async write(batch: Batch): Promise<void> {
    for (;;) {
      try {
        await this.d.spool.append(batch);
        return;
      } catch (e) {
        this.d.log.error("cannot write to the spool, retrying", { reason: (e as Error).message });
        await this.d.clock.sleep(this.d.retryMs);
      }
    }
  }

  ready(): Promise<void> | undefined {
    if (this.open()) return undefined;
    this.noteFull();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private open(): boolean {
    return this.released || (this.d.spool.hasRoom() && this.queued <= MAX_QUEUED);
  }

  /** Readers are held and the spool is the reason: say so once per episode. */
  private noteFull(): void {
    if (this.full || this.d.spool.hasRoom()) return;
    this.full = true;
    this.d.metrics.backpressureEvents++;
    this.d.metrics.readingPaused = true;
    this.d.log.warn("spool full: reading paused until the Worker catches up (no line is dropped)", {
      spool: formatBytes(this.d.spool.bytes),
      batches: this.d.spool.entries.length,
    });
  }

  release(): void {
    this.released = true;
    this.check();
  }

  private check(): void {
    if (!this.open()) {
      if (this.waiters.length > 0) this.noteFull();
      return;
    }
    if (this.full) {
      this.full = false;
      this.d.metrics.readingPaused = false;
      this.d.log.info("spool has room again: reading resumed", {
        spool: formatBytes(this.d.spool.bytes),
      });
    }
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  idle(): Promise<void> {
    return this.chain;
  }
}

const NEWLINE = Buffer.from("\n");

/** --dry-run: each batch printed as the JSON body it would be sent as (batchers built
 * without gzip), one per line. */
export class PrintOutput implements BatchOutput {
  private drain: Promise<void> | undefined;

  constructor(
    private readonly out: Writable,
    private readonly metrics: Metrics,
  ) {}

  accept(batch: Batch): void {
    this.metrics.batchesSent++;
    this.metrics.linesSent += batch.lineCount;
    if (!this.out.write(Buffer.concat([batch.body, NEWLINE])) && this.drain === undefined)
      this.drain = new Promise((r) =>
        this.out.once("drain", () => {
          this.drain = undefined;
          r();
        }),
      );
  }

  ready(): Promise<void> | undefined {
    return this.drain;
  }

  idle(): Promise<void> {
    return this.drain ?? Promise.resolve();
  }

  release(): void {}
}
