/**
 * Files that must survive a crash or a power cut: written to a temporary name, flushed to
 * disk, then renamed over the target, and the directory flushed so the rename sticks.
 */
import { open, rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `path` with `data` atomically and durably. */
export async function writeFileDurable(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.tmp-${basename(path)}`);
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}
