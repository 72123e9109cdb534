/**
 * The on-disk queue every batch goes through: a batch is written here (durably) before it
 * is sent and removed only after the Worker acknowledged it and its positions were
 * committed. So the spool both records each batch's bounds before sending (a crash
 * re-sends the same id with the same lines) and buffers while the Worker is unreachable.
 * It is bounded by size: when full, readers stop (backpressure) instead of dropping lines.
 *
 * One file per batch, `<seq>.batch`: a JSON header line, then the request body.
 */
import { mkdir, open, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { writeFileDurable } from "../durable-file";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import type { Batch, Position } from "./batcher";

export interface SpoolEntry {
  seq: number;
  id: string;
  lines: number;
  /** Bytes on disk. */
  size: number;
  gzip: boolean;
  positions: Position[];
}

interface Header {
  v: 1;
  id: string;
  lines: number;
  gzip: boolean;
  positions: Position[];
}

const NAME = /^(\d{16})\.batch$/;

function fileName(seq: number): string {
  return `${String(seq).padStart(16, "0")}.batch`;
}

async function readHeader(path: string): Promise<{ header: Header; size: number } | undefined> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    let buf = Buffer.alloc(Math.min(size, 65536));
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const nl = buf.subarray(0, bytesRead).indexOf(10);
      if (nl >= 0) return { header: JSON.parse(buf.toString("utf8", 0, nl)) as Header, size };
      if (bytesRead < buf.length || buf.length >= size) return undefined;
      buf = Buffer.alloc(Math.min(size, buf.length * 4));
    }
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

export class Spool {
  readonly entries: SpoolEntry[] = [];
  bytes = 0;
  private lines = 0;
  private nextSeq = 1;
  /** Called whenever an entry leaves the spool (room may have been made). */
  onDrop: () => void = () => {};
  private waiters: Array<() => void> = [];
  private draining = false;

  private constructor(
    private readonly dir: string,
    private readonly stateDir: string,
    readonly maxBytes: number,
    private readonly metrics: Metrics,
  ) {}

  /** Opens (creating) state_dir/spool and loads what a previous run left in it. */
  static async open(
    stateDir: string,
    maxBytes: number,
    metrics: Metrics,
    log: Logger,
  ): Promise<Spool> {
    const dir = join(stateDir, "spool");
    await mkdir(dir, { recursive: true });
    const spool = new Spool(dir, stateDir, maxBytes, metrics);
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const m = NAME.exec(name);
      if (m === null) {
        if (name.startsWith(".tmp-")) await unlink(join(dir, name));
        continue;
      }
      const read = await readHeader(join(dir, name));
      if (read === undefined) {
        log.error("spool: unreadable batch file, moved aside", { file: name });
        await spool.moveAside(join(dir, name), "corrupt", name);
        continue;
      }
      const { header, size } = read;
      spool.push({
        seq: Number(m[1]),
        id: header.id,
        lines: header.lines,
        size,
        gzip: header.gzip,
        positions: header.positions,
      });
    }
    if (spool.entries.length > 0)
      log.info("spool: resuming unacknowledged batches", {
        batches: spool.entries.length,
        lines: metrics.spoolLines,
      });
    return spool;
  }

  private push(e: SpoolEntry): void {
    this.entries.push(e);
    this.bytes += e.size;
    this.lines += e.lines;
    this.nextSeq = Math.max(this.nextSeq, e.seq + 1);
    this.gauges();
  }

  private gauges(): void {
    this.metrics.spoolBatches = this.entries.length;
    this.metrics.spoolBytes = this.bytes;
    this.metrics.spoolLines = this.lines;
  }

  hasRoom(): boolean {
    return this.bytes < this.maxBytes;
  }

  /** Durably writes a batch (its encoded body); resolves once it is on disk. */
  async append(batch: Batch): Promise<SpoolEntry> {
    const { body, gzip } = batch;
    const header: Header = {
      v: 1,
      id: batch.id,
      lines: batch.lineCount,
      gzip,
      positions: batch.positions,
    };
    const data = Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body]);
    const seq = this.nextSeq++;
    await writeFileDurable(join(this.dir, fileName(seq)), data);
    const entry: SpoolEntry = {
      seq,
      id: batch.id,
      lines: header.lines,
      size: data.length,
      gzip,
      positions: batch.positions,
    };
    this.push(entry);
    this.metrics.linesSpooled += entry.lines;
    this.wake();
    return entry;
  }

  /** The request body of an entry. */
  async body(entry: SpoolEntry): Promise<Buffer> {
    const data = await readFile(join(this.dir, fileName(entry.seq)));
    return data.subarray(data.indexOf(10) + 1);
  }

  /** Resolves with the oldest entry once there is one; undefined when aborted or draining. */
  async first(signal: AbortSignal): Promise<SpoolEntry | undefined> {
    while (this.entries.length === 0 && !signal.aborted && !this.draining) {
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener("abort", done);
          resolve();
        };
        this.waiters.push(done);
        signal.addEventListener("abort", done, { once: true });
      });
    }
    return this.entries[0];
  }

  /** From now on `first` returns undefined once the spool is empty (shutdown). */
  drainAndStop(): void {
    this.draining = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Forgets an acknowledged entry (its positions are already committed). */
  async remove(entry: SpoolEntry): Promise<void> {
    await unlink(join(this.dir, fileName(entry.seq)));
    this.drop(entry);
  }

  private drop(entry: SpoolEntry): void {
    const i = this.entries.indexOf(entry);
    if (i < 0) return;
    this.entries.splice(i, 1);
    this.bytes -= entry.size;
    this.lines -= entry.lines;
    this.gauges();
    this.onDrop();
  }

  /** Moves a refused batch to state_dir/rejected/<seq>.json, readable, with the reason. */
  async setAside(entry: SpoolEntry, status: number, reason: string): Promise<string> {
    const raw = await this.body(entry);
    const json = (entry.gzip ? gunzipSync(raw) : raw).toString("utf8");
    const doc = `{"rejected_at":${JSON.stringify(new Date().toISOString())},"status":${status},"reason":${JSON.stringify(reason)},"body":${json}}\n`;
    const dest = await this.moveAside(
      null,
      "rejected",
      `${String(entry.seq).padStart(16, "0")}.json`,
      doc,
    );
    await unlink(join(this.dir, fileName(entry.seq)));
    this.drop(entry);
    return dest;
  }

  private async moveAside(
    from: string | null,
    sub: string,
    name: string,
    data?: string,
  ): Promise<string> {
    const dir = join(this.stateDir, sub);
    await mkdir(dir, { recursive: true });
    const dest = join(dir, name);
    await writeFileDurable(dest, data ?? (await readFile(from as string)));
    if (from !== null) await unlink(from);
    return dest;
  }

  /** The latest position per key over all entries: where reading resumes after a restart. */
  lastPositions(): Map<string, Position> {
    const out = new Map<string, Position>();
    for (const e of this.entries) for (const p of e.positions) out.set(p.key, p);
    return out;
  }
}
