/** One shipper per state directory: two would ship the same lines twice. */
import { open, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes state_dir/lock; returns an error message when another live shipper holds it. */
export async function takeLock(
  stateDir: string,
): Promise<{ release: () => Promise<void> } | string> {
  const path = join(stateDir, "lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, "wx");
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return { release: () => unlink(path).catch(() => {}) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST")
        return `cannot create ${path}: ${(e as Error).message}`;
    }
    const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      return `another palisade-ship (pid ${pid}) uses ${stateDir}; stop it or give this one its own state_dir`;
    await writeFile(path, "").catch(() => {});
    await unlink(path).catch(() => {});
  }
  return `cannot take ${path}`;
}
