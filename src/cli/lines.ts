import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { fail } from "./errors";

export interface LineSource {
  /** The path as given (`-` for standard input). */
  name: string;
  /** Size in bytes on disk (0 for stdin), for progress display. */
  size: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(path: string): Promise<boolean> {
  const fh = await import("node:fs/promises").then((m) => m.open(path, "r"));
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

export async function describeSource(name: string): Promise<LineSource> {
  if (name === "-") return { name, size: 0 };
  try {
    const s = await stat(name);
    if (!s.isFile())
      fail(
        `${name} is not a regular file.`,
        "logs are read from files or from standard input.",
        "give a log file path, or - for standard input.",
      );
    return { name, size: s.size };
  } catch (e) {
    if (e instanceof Error && "code" in e && e.code === "ENOENT") {
      fail(
        `cannot read ${name}: no such file.`,
        "the path leads nowhere.",
        "check the path, or use - to read standard input.",
      );
    }
    throw e;
  }
}

/**
 * Yields the lines of a file (gzip detected by its magic bytes) or of stdin, a batch per
 * read chunk, decoding UTF-8 with replacement characters for invalid bytes. `onBytes`
 * reports raw bytes read, for progress.
 *
 * Each line is decoded from the bytes on its own rather than sliced out of a decoded
 * chunk: a slice of a string keeps the whole 1 MB chunk alive, and buckets keep events
 * (whose fields are slices of their line) for minutes, so slicing chunks made memory grow
 * with the input instead of with live buckets. Batches save a promise per line.
 */
export async function* readLineBatches(
  name: string,
  onBytes?: (n: number) => void,
): AsyncGenerator<string[]> {
  let stream: NodeJS.ReadableStream;
  // Count plain bytes as they are consumed; gzip input is counted as the compressed bytes
  // the gunzip pipe reads. The gzip check comes first: a stream that starts flowing
  // before the loop below consumes it would drop chunks.
  let countInLoop = false;
  if (name === "-") stream = process.stdin;
  else if (await isGzip(name)) {
    const raw = createReadStream(name, { highWaterMark: 1 << 20 });
    if (onBytes) raw.on("data", (c: Buffer | string) => onBytes(c.length));
    stream = raw.pipe(createGunzip());
  } else {
    stream = createReadStream(name, { highWaterMark: 1 << 20 });
    countInLoop = onBytes !== undefined;
  }
  let carry: Buffer | undefined;
  for await (const data of stream) {
    const chunk = typeof data === "string" ? Buffer.from(data) : (data as Buffer);
    if (countInLoop) onBytes?.(chunk.length);
    const lines: string[] = [];
    let start = 0;
    let nl = chunk.indexOf(10);
    if (carry && nl !== -1) {
      lines.push(decodeLine(Buffer.concat([carry, chunk.subarray(0, nl)]), 0, carry.length + nl));
      carry = undefined;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl !== -1) {
      lines.push(decodeLine(chunk, start, nl));
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      const tail = chunk.subarray(start);
      carry = carry ? Buffer.concat([carry, tail]) : Buffer.from(tail);
    }
    if (lines.length > 0) yield lines;
  }
  if (carry && carry.length > 0) yield [decodeLine(carry, 0, carry.length)];
}

function decodeLine(buf: Buffer, start: number, end: number): string {
  return buf.toString("utf8", start, end > start && buf[end - 1] === 13 ? end - 1 : end);
}
