/**
 * Finds the copy a copytruncate rotation left of a file's previous content (logrotate's
 * `copytruncate`: `access.log` copied to `access.log.1`, then emptied). It is the file in
 * the same directory that starts with the bytes the old content started with (the head
 * fingerprint recorded with the position) and is at least as long as what was read of it;
 * the newest such file when there are several. Compressed files are not read (logrotate's
 * `delaycompress` keeps the first copy plain).
 */
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { LostTail } from "./file-tracker";
import { isCompressed } from "./glob";
import { startsWith } from "./head-print";

export interface RotatedCopy {
  path: string;
  key: string;
  size: number;
}

async function sameStart(path: string, tail: LostTail): Promise<boolean> {
  const fh = await open(path, "r").catch(() => undefined);
  if (fh === undefined) return false;
  try {
    return await startsWith(fh, tail.head);
  } finally {
    await fh.close();
  }
}

/** The rotated copy of the content `tail` describes, in `dir`; `skip` rules out known files. */
export async function findRotatedCopy(
  dir: string,
  tail: LostTail,
  skip: (path: string, key: string) => boolean,
): Promise<RotatedCopy | undefined> {
  if (tail.head.len === 0) return undefined;
  let best: (RotatedCopy & { mtime: number }) | undefined;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    if (isCompressed(path)) continue;
    const st = await stat(path, { bigint: true }).catch(() => undefined);
    if (st === undefined || !st.isFile() || Number(st.size) < tail.offset) continue;
    const key = `${st.dev}:${st.ino}`;
    if (skip(path, key) || !(await sameStart(path, tail))) continue;
    const mtime = Number(st.mtimeMs);
    if (best === undefined || mtime > best.mtime)
      best = { path, key, size: Number(st.size), mtime };
  }
  return best === undefined ? undefined : { path: best.path, key: best.key, size: best.size };
}
