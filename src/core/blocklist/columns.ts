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

export class Column<K extends ColumnKind = ColumnKind> {
  private readonly chunks: ChunkOf<K>[] = [];
  private current: ChunkOf<K> | undefined;
  private at: number;
  length = 0;

  /** `chunk`: values per chunk, the most a column holds beyond what it was given. */
  constructor(
    private readonly kind: K,
    private readonly chunk = 4096,
  ) {
    this.at = chunk;
  }

  push(value: number): void {
    if (this.at === this.chunk) {
      this.current = allocate(this.kind, this.chunk);
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
      const chunk = this.chunks[Math.floor(i / this.chunk)] as Chunk;
      const start = i % this.chunk;
      const n = Math.min(this.chunk - start, count - done);
      target.set(chunk.subarray(start, start + n), to + done);
      done += n;
    }
  }

  get(i: number): number {
    return (this.chunks[Math.floor(i / this.chunk)] as Chunk)[i % this.chunk] as number;
  }

  /** Bytes held, chunks included whole. */
  get byteLength(): number {
    return this.chunks.reduce((n, c) => n + c.byteLength, 0);
  }
}

function allocate<K extends ColumnKind>(kind: K, n: number): ChunkOf<K> {
  if (kind === "u8") return new Uint8Array(n) as ChunkOf<K>;
  if (kind === "u32") return new Uint32Array(n) as ChunkOf<K>;
  return new Float64Array(n) as ChunkOf<K>;
}
