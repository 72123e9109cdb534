import { KEY_WORDS, TABLE_COUNT } from "./canonical";
import {
  computeLayout,
  type Layout,
  readLayout,
  readTypeNames,
  writeHeader,
  writeTypeNames,
} from "./format";
import { isRange } from "./sort-key";
import type { BaseLayout } from "./types";

/**
 * Assembles a base split into parts (stream-encode.ts) into the one snapshot they were
 * cut from, byte for byte what `encodeSnapshot` gives for all their entries: the buffer
 * is sized from the manifest's layout before any part arrives, and each part is copied
 * into place as it lands (in any order) and can then be dropped, so the isolate holds
 * the assembled snapshot plus the parts in flight, not every part twice.
 */
export class SnapshotAssembler {
  readonly bytes: Uint8Array;
  private readonly layout: Layout;
  private readonly typeOf: Map<string, number>;
  /** Per part, per table: where its entries start within the table. */
  private readonly offsets: number[][];
  private readonly added: boolean[];

  constructor(private readonly base: BaseLayout) {
    const typesText = JSON.stringify(base.types);
    this.layout = computeLayout(base.counts, base.ids64, typesText.length * 2);
    if (this.layout.byteLength !== base.bytes) {
      throw new Error(
        `blocklist manifest: the base declares ${base.bytes} bytes, its layout makes ${this.layout.byteLength}`,
      );
    }
    this.bytes = new Uint8Array(this.layout.byteLength);
    writeHeader(this.bytes, this.layout);
    writeTypeNames(this.bytes, this.layout, typesText);
    this.typeOf = new Map(base.types.map((name, i) => [name, i]));
    const running = new Array<number>(TABLE_COUNT).fill(0);
    this.offsets = base.parts.map((p) => {
      const at = [...running];
      p.counts.forEach((n, t) => {
        running[t] = (running[t] as number) + n;
      });
      return at;
    });
    this.added = base.parts.map(() => false);
  }

  /** Copies part `i` into place; throws an Error naming the mismatch when it is not that part. */
  add(i: number, part: Uint8Array): void {
    const want = this.base.parts[i];
    if (!want) throw new Error(`blocklist: the base has no part ${i}`);
    const bytes = part.byteOffset === 0 ? part : part.slice();
    const p = readLayout(bytes);
    if (bytes.byteLength !== want.bytes || p.counts.some((n, t) => n !== want.counts[t])) {
      throw new Error(`blocklist: part ${i} is not the part the manifest describes`);
    }
    if (p.idsF64 && !this.layout.idsF64)
      throw new Error(`blocklist: part ${i} has wider ids than its base`);
    const remap = this.typeRemap(bytes, p, i);
    const at = this.offsets[i] as number[];
    for (let t = 0; t < TABLE_COUNT; t++) this.copyTable(bytes, p, t, at[t] as number, remap);
    this.added[i] = true;
  }

  /** The assembled snapshot; throws when a part is missing. */
  finish(): Uint8Array {
    const missing = this.added.indexOf(false);
    if (missing >= 0) throw new Error(`blocklist: part ${missing} of the base was not added`);
    return this.bytes;
  }

  private typeRemap(bytes: Uint8Array, p: Layout, i: number): Uint8Array {
    const remap = new Uint8Array(256);
    readTypeNames(bytes, p).forEach((name, k) => {
      const to = this.typeOf.get(name);
      if (to === undefined)
        throw new Error(`blocklist: part ${i} has a type the base does not list`);
      remap[k] = to;
    });
    return remap;
  }

  private copyTable(
    bytes: Uint8Array,
    p: Layout,
    t: number,
    offset: number,
    remap: Uint8Array,
  ): void {
    const n = p.counts[t] as number;
    if (n === 0) return;
    const L = this.layout;
    const from = p.starts[t] as number;
    const to = (L.starts[t] as number) + offset;
    const src = bytes.buffer;
    const dst = this.bytes.buffer;
    const ids = (l: Layout, buf: ArrayBufferLike, pos: number) =>
      l.idsF64
        ? new Float64Array(buf, l.idsAt + pos * 8, n)
        : new Uint32Array(buf, l.idsAt + pos * 4, n);
    ids(L, dst, to).set(ids(p, src, from));
    new Uint32Array(dst, L.untilAt + to * 4, n).set(new Uint32Array(src, p.untilAt + from * 4, n));
    const type = new Uint8Array(dst, L.typeAt + to, n);
    const srcType = new Uint8Array(src, p.typeAt + from, n);
    for (let k = 0; k < n; k++) type[k] = remap[srcType[k] as number] as number;
    const words = KEY_WORDS[t] as number;
    const half = isRange(t) ? words / 2 : words;
    const total = L.counts[t] as number;
    const keys = (buf: ArrayBufferLike, at: number, first: number, len: number) =>
      new Uint32Array(buf, at + first * half * 4, len * half);
    const dk = L.keysAt[t] as number;
    const sk = p.keysAt[t] as number;
    keys(dst, dk, offset, n).set(keys(src, sk, 0, n));
    if (half !== words) keys(dst, dk, total + offset, n).set(keys(src, sk, n, n));
  }
}
