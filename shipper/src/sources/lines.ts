/**
 * Splits bytes into lines at `\n` (a trailing `\r` is dropped). A line without its newline
 * yet is held until the newline arrives, so a line being written is never shipped half.
 * Lines longer than `maxLineBytes` are cut to that length (and counted), without holding
 * more than that many bytes. Each line is reported as a byte range (no string is made:
 * see delivery/json-bytes.ts) with the absolute offset just after its newline, where a
 * reader resumes.
 */

/** A line: bytes src[start, end) (valid until the call returns), and where it ended. */
export type LineSink = (src: Buffer, start: number, end: number, endOffset: number) => void;

const NL = 10;
const CR = 13;

export class LineSplitter {
  private pending: Buffer | null = null;
  private pendingTotal = 0;
  private skipping = false;
  /** Lines cut to maxLineBytes. */
  truncated = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Bytes read after the last newline (the partial line), including any cut off. */
  get partialBytes(): number {
    return this.pendingTotal;
  }

  /** Drops everything up to the next newline: reading started in the middle of a line. */
  skipToNextLine(): void {
    this.skipping = true;
  }

  reset(): void {
    this.pending = null;
    this.pendingTotal = 0;
    this.skipping = false;
  }

  /** `chunk` holds the bytes at [base, base + chunk.length) of the stream. */
  push(chunk: Buffer, base: number, emit: LineSink): void {
    let s = 0;
    if (this.skipping || this.pendingTotal > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        if (!this.skipping) this.hold(chunk, 0, chunk.length);
        return;
      }
      if (this.skipping) this.skipping = false;
      else {
        this.hold(chunk, 0, nl);
        this.emitPending(base + nl + 1, emit);
      }
      s = nl + 1;
    }
    const max = this.maxLineBytes;
    for (let nl = chunk.indexOf(NL, s); nl >= 0; nl = chunk.indexOf(NL, s)) {
      let e = nl > s && chunk[nl - 1] === CR ? nl - 1 : nl;
      if (e - s > max) {
        e = s + max;
        this.truncated++;
      }
      emit(chunk, s, e, base + nl + 1);
      s = nl + 1;
    }
    if (s < chunk.length) this.hold(chunk, s, chunk.length);
  }

  /** Emits the held partial line as a line: its file will not grow any more. */
  flush(endOffset: number, emit: LineSink): void {
    if (this.pendingTotal > 0) this.emitPending(endOffset, emit);
  }

  private hold(chunk: Buffer, s: number, e: number): void {
    const have = this.pending?.length ?? 0;
    const take = Math.min(e - s, this.maxLineBytes + 1 - have);
    if (take > 0) {
      const part = chunk.subarray(s, s + take);
      this.pending =
        this.pending === null ? Buffer.from(part) : Buffer.concat([this.pending, part]);
    }
    this.pendingTotal += e - s;
  }

  private emitPending(endOffset: number, emit: LineSink): void {
    const p = this.pending as Buffer;
    let e = p.length;
    if (e > 0 && p[e - 1] === CR && this.pendingTotal === e) e--;
    if (e > this.maxLineBytes) {
      e = this.maxLineBytes;
      this.truncated++;
    }
    emit(p, 0, e, endOffset);
    this.pending = null;
    this.pendingTotal = 0;
  }
}
