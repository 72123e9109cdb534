/**
 * Follows one file (one inode) through its life: reads to the end whenever told something
 * changed, holds a partial last line until its newline, notices copytruncate (the file
 * got shorter, or its first bytes changed) and starts over from 0, and keeps reading by
 * file descriptor after a rename, so the last lines of a rotated file are not lost.
 */
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { Clock } from "../clock";
import type { Batcher, FilePosition, Origin } from "../delivery/batcher";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import { type LineSink, LineSplitter } from "./lines";

/** Bytes fingerprinted at the start of a file. */
export const HEAD_BYTES = 256;

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
  head?: { hash: string; len: number };
}

async function headOf(fh: FileHandle, len: number): Promise<{ hash: string; len: number }> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, 0);
  return {
    hash: createHash("sha1").update(buf.subarray(0, bytesRead)).digest("hex"),
    len: bytesRead,
  };
}

export class FileTracker implements Origin {
  readonly key: string;
  head = "";
  headLen = 0;
  /** When the path stopped leading to this file (rotated or deleted), or undefined. */
  orphanSince: number | undefined;
  lastDataAt: number;
  private readPos = 0;
  private truncatedSeen = 0;
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

  /** Opens `path`; undefined when it vanished or is not a regular file. */
  static async open(path: string, at: StartAt, d: TrackerDeps): Promise<FileTracker | undefined> {
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
    await t.startAt(at, Number(st.size));
    d.metrics.filesOpen++;
    return t;
  }

  private async startAt(at: StartAt, size: number): Promise<void> {
    let offset = at.offset;
    if (at.head !== undefined && offset > 0) {
      const now = await headOf(this.fh, at.head.len);
      if (size < offset || now.hash !== at.head.hash || now.len !== at.head.len) {
        this.d.log.warn("file changed since its offset was recorded; reading it from the start", {
          path: this.path,
          offset,
        });
        offset = 0;
      }
    }
    this.readPos = Math.min(offset, size);
    if (at.skipPartial && this.readPos > 0) this.splitter.skipToNextLine();
    await this.refreshHead(size);
  }

  private async refreshHead(size: number): Promise<void> {
    if (this.headLen >= HEAD_BYTES || size <= this.headLen) return;
    const h = await headOf(this.fh, Math.min(HEAD_BYTES, size));
    this.head = h.hash;
    this.headLen = h.len;
  }

  position(mark: number | string): FilePosition {
    return {
      kind: "file",
      key: this.key,
      dev: this.dev,
      ino: this.ino,
      path: this.path,
      offset: mark as number,
      head: this.head,
      headLen: this.headLen,
    };
  }

  /** Offset just after the last complete line read. */
  get lineOffset(): number {
    return this.readPos - this.splitter.partialBytes;
  }

  /** Whether the file lost its content under us (copytruncate). */
  private async truncated(size: number): Promise<boolean> {
    if (size < this.readPos) return true;
    if (this.headLen === 0) return false;
    const now = await headOf(this.fh, this.headLen);
    return now.hash !== this.head || now.len !== this.headLen;
  }

  /** Reads to the end of the file; true when it read anything. */
  async pump(stopped: () => boolean): Promise<boolean> {
    const st = await this.fh.stat();
    if (await this.truncated(st.size)) {
      this.d.log.warn("file truncated (copytruncate?); reading it from the start", {
        path: this.path,
        was_at: this.readPos,
        lost_partial_bytes: this.splitter.partialBytes,
      });
      this.splitter.reset();
      this.readPos = 0;
      this.headLen = 0;
    }
    await this.refreshHead(st.size);
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
      this.splitter.push(buf.subarray(0, bytesRead), base, this.emit);
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
