/**
 * Lines from a stream (a child's stdout, standard input), with backpressure: the stream is
 * paused while the spool is full, so the writer blocks instead of lines being dropped.
 */
import type { Readable } from "node:stream";
import { LineSplitter } from "./lines";

export interface StreamLinesOptions {
  maxLineBytes: number;
  gate: () => Promise<void> | undefined;
  /** A line: src[start, end), valid until the call returns. */
  onLine: (src: Buffer, start: number, end: number) => void;
  /** At the end of the stream; `partial` tells a last line without newline was shipped. */
  onEnd: () => void;
  onError: (e: Error) => void;
}

export function streamLines(stream: Readable, o: StreamLinesOptions): { truncated: () => number } {
  const splitter = new LineSplitter(o.maxLineBytes);
  const emit = (src: Buffer, start: number, end: number) => o.onLine(src, start, end);
  let paused = false;
  stream.on("data", (chunk: Buffer | string) => {
    splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk, 0, emit);
    const wait = o.gate();
    if (wait === undefined || paused) return;
    paused = true;
    stream.pause();
    void wait.then(() => {
      paused = false;
      stream.resume();
    });
  });
  stream.on("end", () => {
    splitter.flush(0, emit);
    o.onEnd();
  });
  stream.on("error", o.onError);
  return { truncated: () => splitter.truncated };
}
