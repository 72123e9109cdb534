/**
 * `--once FILE --type T`: ship an existing file (a backfill) from start to end, then stop.
 * Reading, encoding and sending overlap (a few batches in flight at most, so memory stays
 * flat whatever the file size). Batch ids derive from the file and each batch's bounds,
 * so re-running an interrupted backfill is deduplicated by the Worker.
 */
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import type { Clock } from "../clock";
import { backfillBatchId, randomBatchId } from "../delivery/batch-id";
import {
  type Batch,
  Batcher,
  type BatchLimits,
  type FilePosition,
  type Origin,
  type Position,
} from "../delivery/batcher";
import { type DeliveryDeps, deliver } from "../delivery/sender";
import type { Metrics } from "../metrics";
import { HEAD_BYTES, headOf } from "../sources/head-print";
import { type LineSink, LineSplitter } from "../sources/lines";
import { streamLines } from "../sources/stream-lines";
import type { Progress } from "./progress";

export interface OnceOptions {
  /** A path, or "-" for standard input. */
  file: string;
  type: string;
  labels: Record<string, string>;
  hostname: string;
  batch: Omit<BatchLimits, "maxWaitMs">;
  maxLineBytes: number;
  gzipLevel: number | undefined;
  delivery: DeliveryDeps;
  progress: (totalBytes: number) => Progress;
  stdin?: Readable;
  dryRunOut?: Writable;
  signal: AbortSignal;
}

export interface OnceResult {
  lines: number;
  batches: number;
  /** Lines the Worker counted for the first time. */
  accepted: number;
  /** Lines of batches the Worker had already counted (an earlier run of the same backfill). */
  alreadyCounted: number;
  rejectedBatches: number;
  rejectedLines: number;
  /** Stopped early by a signal: the rest can be shipped by running it again. */
  interrupted: boolean;
}

const IN_FLIGHT = 4;
const NEVER = 2 ** 31 - 1;

class FileOrigin implements Origin {
  constructor(
    readonly key: string,
    private readonly base: Omit<FilePosition, "offset">,
  ) {}
  position(mark: number | string): FilePosition {
    return { ...this.base, offset: mark as number };
  }
}

async function originOf(
  fh: FileHandle,
  path: string,
): Promise<{ origin: FileOrigin; size: number }> {
  const st = await fh.stat({ bigint: true });
  const head = await headOf(fh, HEAD_BYTES);
  const key = `${st.dev}:${st.ino}`;
  const base = {
    kind: "file" as const,
    key,
    dev: String(st.dev),
    ino: String(st.ino),
    path,
    head: head.hash,
    headLen: head.len,
  };
  return { origin: new FileOrigin(key, base), size: Number(st.size) };
}

/** A clock whose timers never fire: a backfill cuts batches by size only. */
function noTimers(c: Clock): Clock {
  return { ...c, setTimer: (fn) => setTimeout(fn, NEVER) };
}

export async function runOnce(o: OnceOptions): Promise<OnceResult> {
  const r: OnceResult = {
    lines: 0,
    batches: 0,
    accepted: 0,
    alreadyCounted: 0,
    rejectedBatches: 0,
    rejectedLines: 0,
    interrupted: false,
  };
  const queue: Batch[] = [];
  let wake: (() => void) | undefined;
  let producing = true;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onBatch = (batch: Batch) => {
    queue.push(batch);
    notify();
  };
  const roomWaiters: Array<() => void> = [];
  const gate = () =>
    o.signal.aborted || queue.length < IN_FLIGHT
      ? undefined
      : new Promise<void>((res) => roomWaiters.push(res));
  const consumer = consume(
    o,
    r,
    queue,
    () => producing,
    (w) => {
      wake = w;
    },
    () => {
      for (const f of roomWaiters.splice(0)) f();
    },
  );
  await produce(o, r, onBatch, gate);
  producing = false;
  notify();
  await consumer;
  r.interrupted ||= o.signal.aborted;
  return r;
}

type Gate = () => Promise<void> | undefined;

type BatcherFor = (newId: (p: Position[], lines: number) => string) => Batcher;

async function produce(
  o: OnceOptions,
  r: OnceResult,
  onBatch: (b: Batch) => void,
  gate: Gate,
): Promise<void> {
  const limits = { ...o.batch, maxWaitMs: NEVER };
  const clock = noTimers(o.delivery.clock);
  const source = { type: o.type, labels: o.labels };
  const level = o.dryRunOut === undefined ? o.gzipLevel : undefined;
  const batcher: BatcherFor = (newId) => new Batcher(source, limits, clock, onBatch, newId, level);
  if (o.file === "-") await produceStdin(o, r, batcher(randomBatchId), gate);
  else await produceFile(o, r, batcher, gate);
}

async function produceStdin(o: OnceOptions, r: OnceResult, b: Batcher, gate: Gate): Promise<void> {
  await new Promise<void>((done) => {
    o.signal.addEventListener("abort", () => done(), { once: true });
    streamLines(o.stdin ?? process.stdin, {
      maxLineBytes: o.maxLineBytes,
      gate,
      onLine: (src, start, end) => {
        r.lines++;
        b.add(src, start, end, null, 0);
      },
      onEnd: done,
      onError: () => done(),
    });
  });
  b.flush();
}

async function produceFile(
  o: OnceOptions,
  r: OnceResult,
  batcher: BatcherFor,
  gate: Gate,
): Promise<void> {
  const fh = await open(o.file, "r");
  try {
    const { origin, size } = await originOf(fh, o.file);
    const b = batcher(backfillBatchId(o.hostname, o.type));
    const add: LineSink = (src, start, end, endOffset) => b.add(src, start, end, origin, endOffset);
    await readFile(fh, size, o, r, add, gate);
    b.flush();
  } finally {
    await fh.close();
  }
}

async function readFile(
  fh: FileHandle,
  size: number,
  o: OnceOptions,
  r: OnceResult,
  add: LineSink,
  gate: Gate,
): Promise<void> {
  const progress = o.progress(size);
  const splitter = new LineSplitter(o.maxLineBytes);
  const buf = Buffer.allocUnsafe(1 << 20);
  const emit: LineSink = (src, start, end, endOffset) => {
    r.lines++;
    add(src, start, end, endOffset);
  };
  let pos = 0;
  while (!o.signal.aborted) {
    // Re-check after each wake: one shipped batch may not be enough room.
    for (let wait = gate(); wait !== undefined; wait = gate()) await wait;
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    splitter.push(buf.subarray(0, bytesRead), pos, emit);
    pos += bytesRead;
    progress.update(pos, r.lines);
  }
  if (!o.signal.aborted) splitter.flush(pos, emit);
  progress.done();
}

async function consume(
  o: OnceOptions,
  r: OnceResult,
  queue: Batch[],
  producing: () => boolean,
  sleep: (w: () => void) => void,
  room: () => void,
): Promise<void> {
  for (;;) {
    const batch = queue[0];
    if (batch === undefined) {
      if (!producing()) return;
      await new Promise<void>((res) => sleep(res));
      continue;
    }
    const ok = await ship(o, r, batch);
    queue.shift();
    if (!ok) {
      r.interrupted = true;
      queue.length = 0;
    }
    room();
    if (!ok) return;
  }
}

async function ship(o: OnceOptions, r: OnceResult, batch: Batch): Promise<boolean> {
  r.batches++;
  if (o.dryRunOut !== undefined) {
    o.dryRunOut.write(Buffer.concat([batch.body, Buffer.from("\n")]));
    return true;
  }
  const m: Metrics = o.delivery.metrics;
  const res = await deliver(
    batch.body,
    batch.gzip,
    { id: batch.id, lines: batch.lineCount },
    o.delivery,
    o.signal,
  );
  if (res.kind === "aborted") return false;
  if (res.kind === "ok") {
    if (res.duplicate) r.alreadyCounted += res.accepted ?? batch.lineCount;
    else r.accepted += res.accepted ?? 0;
    m.linesAcked += batch.lineCount;
    return true;
  }
  r.rejectedBatches++;
  r.rejectedLines += batch.lineCount;
  o.delivery.log.error("the Worker refused a batch; skipped", {
    batch: batch.id,
    lines: batch.lineCount,
    reason: res.reason,
  });
  return true;
}
