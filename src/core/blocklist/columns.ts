/**
 * A growable column of numbers in fixed-size typed-array chunks: appending never copies
 * what is held (no doubling), so what a column keeps is what it was given plus at most
 * one chunk. The streaming encoder's memory is the sum of its columns.
 */

type Chunk = Uint8Array | Uint32Array | Float64Array;
type ChunkOf<K extends ColumnKind> = K extends "u8"
  ? Uint8Array
  : K extends "u32"
    ? Uint32Array
    : Float64Array;
export type ColumnKind = "u8" | "u32" | "f64";

const CHUNK = 4096;

export class Column<K extends ColumnKind = ColumnKind> {
  private readonly chunks: ChunkOf<K>[] = [];
  private current: ChunkOf<K> | undefined;
  private at = CHUNK;
  length = 0;

  constructor(private readonly kind: K) {}

  push(value: number): void {
    if (this.at === CHUNK) {
      this.current = allocate(this.kind);
      this.chunks.push(this.current);
      this.at = 0;
    }
    (this.current as ChunkOf<K>)[this.at++] = value;
    this.length++;
  }

  /** Copies [from, from + count) to `target` at `to` (any typed array: values are converted). */
  copyTo(target: Chunk, to: number, from = 0, count = this.length - from): void {
    let done = 0;
    while (done < count) {
      const i = from + done;
      const chunk = this.chunks[Math.floor(i / CHUNK)] as Chunk;
      const start = i % CHUNK;
      const n = Math.min(CHUNK - start, count - done);
      target.set(chunk.subarray(start, start + n), to + done);
      done += n;
    }
  }

  get(i: number): number {
    return (this.chunks[Math.floor(i / CHUNK)] as Chunk)[i % CHUNK] as number;
  }

  /** Bytes held, chunks included whole. */
  get byteLength(): number {
    return this.chunks.reduce((n, c) => n + c.byteLength, 0);
  }
}

function allocate<K extends ColumnKind>(kind: K): ChunkOf<K> {
  if (kind === "u8") return new Uint8Array(CHUNK) as ChunkOf<K>;
  if (kind === "u32") return new Uint32Array(CHUNK) as ChunkOf<K>;
  return new Float64Array(CHUNK) as ChunkOf<K>;
}
