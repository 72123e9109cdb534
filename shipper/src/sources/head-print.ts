/**
 * A file's head fingerprint: the sha1 of its first bytes (up to HEAD_BYTES). It tells the
 * same file from another one that took its inode or its place (a reused inode, a
 * copytruncate), and finds a rotated copy of a file by its content.
 *
 * The fingerprint is fed from the bytes the tracker reads, so it always covers at least
 * what was read when a position is taken: a position recorded while the file was still
 * short, or while a read ran past the size a stat had seen, describes bytes that really
 * are at the start of the file. (A fingerprint taken from a stat's size could describe 0
 * bytes of a file whose lines were already shipped, and a restart then took it for another
 * file.)
 */
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

/** Bytes fingerprinted at the start of a file. */
export const HEAD_BYTES = 256;

export interface Head {
  hash: string;
  len: number;
}

export function hashOf(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}

/** The fingerprint of the first `len` bytes of an open file (fewer if it is shorter). */
export async function headOf(fh: FileHandle, len: number): Promise<Head> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = len === 0 ? { bytesRead: 0 } : await fh.read(buf, 0, len, 0);
  return { hash: hashOf(buf.subarray(0, bytesRead)), len: bytesRead };
}

/** Whether the file still starts with the bytes `head` describes (an empty head always does). */
export async function startsWith(fh: FileHandle, head: Head): Promise<boolean> {
  if (head.len === 0) return true;
  const now = await headOf(fh, head.len);
  return now.len === head.len && now.hash === head.hash;
}

/** The fingerprint of the file a tracker reads, grown from the bytes read at its start. */
export class HeadPrint {
  private readonly bytes = Buffer.alloc(HEAD_BYTES);
  hash = hashOf(Buffer.alloc(0));
  len = 0;

  get complete(): boolean {
    return this.len >= HEAD_BYTES;
  }

  /** `chunk` holds the file's bytes [base, base + chunk.length). */
  feed(chunk: Buffer, base: number): void {
    if (this.complete || base > this.len || base + chunk.length <= this.len) return;
    const end = Math.min(HEAD_BYTES, base + chunk.length);
    chunk.copy(this.bytes, this.len, this.len - base, end - base);
    this.len = end;
    this.hash = hashOf(this.bytes.subarray(0, end));
  }

  /** Reads the head from the file (reading starts past it: a resumed offset, start_at end). */
  async load(fh: FileHandle, size: number): Promise<void> {
    const len = Math.min(HEAD_BYTES, size);
    if (len <= this.len) return;
    const { bytesRead } = await fh.read(this.bytes, 0, len, 0);
    this.len = bytesRead;
    this.hash = hashOf(this.bytes.subarray(0, bytesRead));
  }

  reset(): void {
    this.len = 0;
    this.hash = hashOf(Buffer.alloc(0));
  }

  snapshot(): Head {
    return { hash: this.hash, len: this.len };
  }
}
