/**
 * Groups one source's lines into batches, cut by line count, by size or by age (the first
 * line of a batch waits at most max_wait), and remembers for each file (or journal) in the
 * batch where its last line ended: the position committed once the Worker acknowledges.
 * Lines are escaped into the batch's JSON body as they come (json-bytes.ts), in one buffer
 * reused from batch to batch; at the cut the header is written in front of them and the
 * body gzipped in place, so memory stays flat whatever the volume.
 */
import { gzipSync } from "node:zlib";
import type { Clock, TimerHandle } from "../clock";
import { maxJsonLength, writeJsonString } from "./json-bytes";

export interface FilePosition {
  kind: "file";
  /** `dev:ino`, the file's identity across renames. */
  key: string;
  dev: string;
  ino: string;
  path: string;
  /** Offset just after the last newline shipped. */
  offset: number;
  /** sha1 of the first headLen bytes: tells a reused inode from the same file. */
  head: string;
  headLen: number;
}

export interface CursorPosition {
  kind: "journald";
  key: string;
  cursor: string;
}

export type Position = FilePosition | CursorPosition;

/** Something lines come from whose progress is recorded (a file, the journal). */
export interface Origin {
  readonly key: string;
  position(mark: number | string): Position;
}

export interface WireSource {
  type: string;
  labels: Record<string, string>;
}

export interface Batch {
  id: string;
  source: WireSource;
  lineCount: number;
  /** The request body `{"batch_id":…,"source":…,"lines":[…]}`, gzipped when `gzip`. */
  body: Buffer;
  gzip: boolean;
  positions: Position[];
}

export interface BatchLimits {
  maxLines: number;
  maxBytes: number;
  maxWaitMs: number;
}

/** Longest batch id the reserved header room allows. */
const MAX_ID_LENGTH = 128;

interface Span {
  origin: Origin;
  mark: number | string;
}

const TAIL = "]}";
const INITIAL = 64 * 1024;

export class Batcher {
  /** [0, room) is kept for the header; escaped lines follow from `room` up to `len`. */
  private buf = Buffer.allocUnsafe(INITIAL);
  private len: number;
  private count = 0;
  private spans: Span[] = [];
  private current: Span | undefined;
  private timer: TimerHandle | undefined;
  private readonly sourceJson: string;
  private readonly room: number;

  constructor(
    private readonly source: WireSource,
    private readonly limits: BatchLimits,
    private readonly clock: Clock,
    private readonly onBatch: (b: Batch) => void,
    private readonly newId: (positions: Position[], lines: number) => string,
    /** gzip level, or undefined to send the JSON as is. */
    private readonly gzipLevel: number | undefined,
  ) {
    this.sourceJson = JSON.stringify(source);
    this.room = Buffer.byteLength(this.header("x".repeat(MAX_ID_LENGTH)));
    this.len = this.room;
  }

  private header(id: string): string {
    return `{"batch_id":${JSON.stringify(id)},"source":${this.sourceJson},"lines":[`;
  }

  get pendingLines(): number {
    return this.count;
  }

  /** Bytes of escaped lines in the current batch. */
  private get size(): number {
    return this.len - this.room;
  }

  /** Adds the line src[start, end); `origin` and `mark` (offset or cursor) record progress. */
  add(src: Buffer, start: number, end: number, origin: Origin | null, mark: number | string): void {
    if (this.count > 0 && this.size + end - start + 3 > this.limits.maxBytes) this.flush();
    if (this.count === 0)
      this.timer = this.clock.setTimer(() => this.flush(), this.limits.maxWaitMs);
    this.reserve(maxJsonLength(end - start) + 1 + TAIL.length);
    if (this.count > 0) this.buf[this.len++] = 0x2c;
    this.len = writeJsonString(this.buf, this.len, src, start, end);
    this.count++;
    if (origin !== null) this.mark(origin, mark);
    if (this.count >= this.limits.maxLines || this.size >= this.limits.maxBytes) this.flush();
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  private mark(origin: Origin, mark: number | string): void {
    let span = this.current;
    if (span === undefined || span.origin !== origin) {
      span = this.spans.find((s) => s.origin === origin);
      if (span === undefined) {
        span = { origin, mark };
        this.spans.push(span);
      }
      this.current = span;
    }
    span.mark = mark;
  }

  /** Cuts the batch now (age limit, shutdown, end of input). */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    if (this.count === 0) return;
    const positions = this.spans.map((s) => s.origin.position(s.mark));
    const id = this.newId(positions, this.count);
    if (id.length > MAX_ID_LENGTH) throw new Error(`batch id longer than ${MAX_ID_LENGTH}: ${id}`);
    const head = Buffer.from(this.header(id));
    const from = this.room - head.length;
    head.copy(this.buf, from);
    this.len += this.buf.write(TAIL, this.len, "latin1");
    const json = this.buf.subarray(from, this.len);
    const gzip = this.gzipLevel !== undefined;
    const body = gzip ? gzipSync(json, { level: this.gzipLevel }) : Buffer.from(json);
    const batch: Batch = { id, source: this.source, lineCount: this.count, body, gzip, positions };
    this.len = this.room;
    this.count = 0;
    this.spans = [];
    this.current = undefined;
    // A giant line may have grown the buffer far past max_bytes: give that memory back.
    if (this.buf.length > 4 * this.limits.maxBytes + this.room)
      this.buf = Buffer.allocUnsafe(INITIAL);
    this.onBatch(batch);
  }
}
