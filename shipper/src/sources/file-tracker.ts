/**
 * Follows one file (one inode) through its life: reads to the end whenever told something
 * changed, holds a partial last line until its newline, notices copytruncate (the file
 * got shorter, or its first bytes changed) and starts over from 0, and keeps reading by
 * file descriptor after a rename, so the last lines of a rotated file are not lost. When
 * its content was replaced before it was read to the end (a copytruncate while behind, or
 * while stopped), it says where the old content stopped being read (`takeLostTail`), so
 * the source can read the rest from the rotated copy.
 */
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { Clock } from "../clock";
import type { Batcher, FilePosition, Origin } from "../delivery/batcher";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import { type Head, HeadPrint, startsWith } from "./head-print";
import { type LineSink, LineSplitter } from "./lines";

export interface TrackerDeps {
  batcher: Batcher;
  /** Resolves when reading may go on (undefined: go on now); see SpoolOutput.ready. */
  gate: () => Promise<void> | undefined;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  maxLineBytes: number;
  /** Read buffer shared by the trackers of one source (they never read concurrently). */
  buffer: Buffer;
}

export interface StartAt {
  offset: number;
  /** Reading starts mid-line (start_at: end): drop up to the next newline. */
  skipPartial: boolean;
  /** Fingerprint the bytes before `offset` must still have (a resumed position). */
  head?: Head;
}

/** Where the file's previous content stopped being read, before it was replaced. */
export interface LostTail {
  offset: number;
  head: Head;
}

export class FileTracker implements Origin {
  readonly key: string;
  private readonly print = new HeadPrint();
  /** When the path stopped leading to this file (rotated or deleted), or undefined. */
  orphanSince: number | undefined;
  lastDataAt: number;
  private readPos = 0;
  private truncatedSeen = 0;
  private lostTail: LostTail | undefined;
  private readonly splitter: LineSplitter;
  private readonly emit: LineSink;

  private constructor(
    private readonly fh: FileHandle,
    readonly dev: string,
    readonly ino: string,
    public path: string,
    private readonly d: TrackerDeps,
  ) {
    this.key = `${dev}:${ino}`;
    this.splitter = new LineSplitter(d.maxLineBytes);
    this.lastDataAt = d.clock.now();
    this.emit = (src, start, end, endOffset) => {
      d.metrics.linesRead++;
      d.batcher.add(src, start, end, this, endOffset);
    };
  }

  /**
   * Opens `path`; undefined when it vanished or is not a regular file. Where reading starts
   * is asked for the file actually opened (`startFor(key, size)`), never for what a listing
   * saw at that path a moment before: a rotation in between would otherwise give one file
   * the other's offset.
   */
  static async open(
    path: string,
    startFor: (key: string, size: number) => StartAt,
    d: TrackerDeps,
  ): Promise<FileTracker | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(path, "r");
    } catch {
      return undefined;
    }
    const st = await fh.stat({ bigint: true });
    if (!st.isFile()) {
      await fh.close();
      return undefined;
    }
    const t = new FileTracker(fh, String(st.dev), String(st.ino), path, d);
    const size = Number(st.size);
    await t.startAt(startFor(t.key, size), size);
    d.metrics.filesOpen++;
    return t;
  }

  private async startAt(at: StartAt, size: number): Promise<void> {
    let offset = at.offset;
    if (at.head !== undefined && offset > 0) {
      const why =
        size < offset
          ? `it is shorter (${size} bytes) than the recorded offset`
          : (await startsWith(this.fh, at.head))
            ? undefined
            : `its first ${at.head.len} bytes are not those recorded`;
      if (why !== undefined) {
        this.d.log.warn("file changed since its offset was recorded; reading it from the start", {
          path: this.path,
          offset,
          why,
        });
        this.lostTail = { offset, head: at.head };
        offset = 0;
      }
    }
    this.readPos = Math.min(offset, size);
    if (at.skipPartial && this.readPos > 0) this.splitter.skipToNextLine();
    if (this.readPos > 0) await this.print.load(this.fh, size);
  }

  position(mark: number | string): FilePosition {
    return {
      kind: "file",
      key: this.key,
      dev: this.dev,
      ino: this.ino,
      path: this.path,
      offset: mark as number,
      head: this.print.hash,
      headLen: this.print.len,
    };
  }

  /** Offset just after the last complete line read. */
  get lineOffset(): number {
    return this.readPos - this.splitter.partialBytes;
  }

  /** Where the replaced content stopped being read, once (then forgotten). */
  takeLostTail(): LostTail | undefined {
    const t = this.lostTail;
    this.lostTail = undefined;
    return t;
  }

  /** Whether the file lost its content under us (copytruncate). */
  private async truncated(size: number): Promise<boolean> {
    if (size < this.readPos) return true;
    return !(await startsWith(this.fh, this.print.snapshot()));
  }

  /**
   * Reads to the end of the file; true when it read anything. A truncation found on the
   * way stops it early (see takeLostTail): the source reads the old content's rest from
   * the rotated copy before this file's new content.
   */
  async pump(stopped: () => boolean): Promise<boolean> {
    const st = await this.fh.stat();
    if (await this.truncated(st.size)) {
      this.d.log.warn("file truncated (copytruncate?); reading it from the start", {
        path: this.path,
        was_at: this.readPos,
        partial_bytes: this.splitter.partialBytes,
      });
      this.lostTail = { offset: this.lineOffset, head: this.print.snapshot() };
      this.splitter.reset();
      this.readPos = 0;
      this.print.reset();
      return true;
    }
    const buf = this.d.buffer;
    let any = false;
    while (!stopped()) {
      for (let wait = this.d.gate(); wait !== undefined && !stopped(); wait = this.d.gate())
        await wait;
      if (stopped()) break;
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.readPos);
      if (bytesRead === 0) break;
      const base = this.readPos;
      this.readPos += bytesRead;
      any = true;
      const chunk = buf.subarray(0, bytesRead);
      this.print.feed(chunk, base);
      this.splitter.push(chunk, base, this.emit);
    }
    this.d.metrics.linesTruncated += this.splitter.truncated - this.truncatedSeen;
    this.truncatedSeen = this.splitter.truncated;
    if (any) this.lastDataAt = this.d.clock.now();
    return any;
  }

  /** Whether the file was deleted (no name left on disk). */
  async unlinked(): Promise<boolean> {
    return (await this.fh.stat()).nlink === 0;
  }

  /** Closes the file; with `final`, a held partial line is shipped (no writer is left). */
  async close(final: boolean): Promise<number> {
    if (final) this.splitter.flush(this.readPos, this.emit);
    await this.fh.close();
    this.d.metrics.filesOpen--;
    return this.readPos;
  }
}
