/**
 * A file source: the files its paths and globs match, followed by inode. Directory watches
 * (inotify through fs.watch) say when to read; a slow poll (poll_interval) is the safety
 * net, so idle tailing costs nothing. A file whose path no longer leads to it (renamed by
 * rotation, or deleted) is read until it has been quiet for rotate_wait, then finished;
 * the file now at the path is read from its start. When a file's content was replaced
 * before it was read to the end (copytruncate while behind or stopped), the rest is read
 * from the rotated copy first (rotated-copy.ts), then the new content.
 */
import { type FSWatcher, watch } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { TimerHandle } from "../clock";
import type { SourceConfig } from "../config/source-config";
import type { FilePosition } from "../delivery/batcher";
import { FileTracker, type StartAt, type TrackerDeps } from "./file-tracker";
import { expandGlob, globMatch, isCompressed, isExcluded } from "./glob";
import { findRotatedCopy } from "./rotated-copy";

export interface FileSourceDeps extends Omit<TrackerDeps, "buffer"> {
  config: SourceConfig;
  /** Absolute patterns (relative ones already resolved against the config's directory). */
  patterns: string[];
  pollIntervalMs: number;
  rotateWaitMs: number;
  chunkBytes: number;
  /** Where a file was left by a previous run (acknowledged or spooled). */
  resume: (key: string) => FilePosition | undefined;
  /** The source never ran before: start_at applies to the files present now. */
  firstRun: boolean;
  /** File identity → source, so a file matched by two sources is shipped once. */
  claims: Map<string, unknown>;
  retire: (key: string, finalOffset: number) => void;
  /** Watch directories (default true); tests turn it off to prove the poll alone works. */
  watch?: boolean;
}

interface Found {
  path: string;
}

export class FileSource {
  private readonly trackers = new Map<string, FileTracker>();
  private readonly byPath = new Map<string, FileTracker>();
  private readonly dirty = new Set<FileTracker>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly tracker: TrackerDeps;
  private rescan = false;
  private stopped = false;
  private firstScan = true;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private poll: TimerHandle | undefined;

  constructor(private readonly d: FileSourceDeps) {
    this.tracker = { ...d, buffer: Buffer.allocUnsafe(d.chunkBytes) };
  }

  /** First look at the files (before leftovers of a previous run are adopted). */
  async init(): Promise<void> {
    await this.scan();
  }

  /** Starts following: watches, the fallback poll and the read loop. */
  run(): void {
    this.loopDone = this.loop();
    this.schedulePoll();
  }

  /** Whether a path is one this source would follow. */
  owns(path: string): boolean {
    return (
      this.d.patterns.some((p) => globMatch(p, path)) && !isExcluded(path, this.d.config.exclude)
    );
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.rescan) {
        this.rescan = false;
        await this.scan().catch((e: Error) =>
          this.d.log.error("cannot list files", { reason: e.message }),
        );
        continue;
      }
      const t = this.dirty.values().next().value;
      if (t !== undefined) {
        this.dirty.delete(t);
        await this.service(t);
        continue;
      }
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
  }

  private async service(t: FileTracker): Promise<void> {
    try {
      await t.pump(() => this.stopped);
      if (await this.recoverTail(t)) this.dirty.add(t);
    } catch (e) {
      this.d.log.error("cannot read file; will reopen it", {
        path: t.path,
        reason: (e as Error).message,
      });
      await this.drop(t, false);
      this.rescan = true;
      return;
    }
    if (t.orphanSince === undefined || this.stopped) return;
    const quietFor = this.d.clock.now() - Math.max(t.orphanSince, t.lastDataAt);
    if (quietFor >= this.d.rotateWaitMs) await this.drop(t, true);
  }

  private async drop(t: FileTracker, final: boolean): Promise<void> {
    this.trackers.delete(t.key);
    this.dirty.delete(t);
    if (this.byPath.get(t.path) === t) this.byPath.delete(t.path);
    this.d.claims.delete(t.key);
    const end = await t.close(final).catch(() => t.lineOffset);
    if (final) {
      this.d.log.info("finished a rotated or deleted file", { path: t.path, offset: end });
      this.d.retire(t.key, end);
    }
  }

  private schedulePoll(): void {
    this.poll = this.d.clock.setTimer(() => {
      if (this.stopped) return;
      this.rescan = true;
      for (const t of this.trackers.values()) this.dirty.add(t);
      this.signal();
      this.schedulePoll();
    }, this.d.pollIntervalMs);
  }

  private onEvent(dir: string, type: string, name: string | Buffer | null): void {
    if (name === null) {
      this.rescan = true;
      for (const t of this.trackers.values()) this.dirty.add(t);
    } else {
      const path = join(dir, name.toString());
      const t = this.byPath.get(path);
      if (t !== undefined) this.dirty.add(t);
      if (type === "rename" || (t === undefined && this.owns(path))) this.rescan = true;
    }
    this.signal();
  }

  private syncWatchers(dirs: Set<string>): void {
    if (this.d.watch === false) return;
    for (const [dir, w] of this.watchers)
      if (!dirs.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, (type, name) => this.onEvent(dir, type, name));
        w.on("error", () => {
          w.close();
          this.watchers.delete(dir);
          this.rescan = true;
          this.signal();
        });
        this.watchers.set(dir, w);
      } catch {
        // Missing or unwatchable directory: the poll covers it.
      }
    }
  }

  private async discover(dirs: Set<string>): Promise<Map<string, Found>> {
    const found = new Map<string, Found>();
    for (const pattern of this.d.patterns) {
      const ex = await expandGlob(pattern, "/");
      for (const d of ex.dirs) dirs.add(d);
      for (const path of ex.files) {
        if (isExcluded(path, this.d.config.exclude)) continue;
        const st = await stat(path, { bigint: true }).catch(() => undefined);
        if (st === undefined || !st.isFile()) continue;
        const key = `${st.dev}:${st.ino}`;
        if (!found.has(key)) found.set(key, { path });
        dirs.add(dirname(path));
      }
    }
    return found;
  }

  private async scan(): Promise<void> {
    const dirs = new Set<string>();
    const found = await this.discover(dirs);
    for (const [key, f] of found) {
      const t = this.trackers.get(key);
      if (t !== undefined) {
        t.path = f.path;
        t.orphanSince = undefined;
      } else if (!this.d.claims.has(key)) await this.follow(f.path);
    }
    const now = this.d.clock.now();
    for (const t of this.trackers.values()) {
      if (found.has(t.key) || t.orphanSince !== undefined) continue;
      t.orphanSince = now;
      this.d.log.info("file rotated or deleted; reading its last lines", { path: t.path });
      this.dirty.add(t);
    }
    this.byPath.clear();
    for (const t of this.trackers.values())
      if (t.orphanSince === undefined) this.byPath.set(t.path, t);
    this.syncWatchers(dirs);
    this.firstScan = false;
  }

  private startOf(key: string, size: number): StartAt {
    const r = this.d.resume(key);
    if (r !== undefined)
      return { offset: r.offset, skipPartial: false, head: { hash: r.head, len: r.headLen } };
    if (this.firstScan && this.d.firstRun && this.d.config.startAt === "end")
      return { offset: size, skipPartial: true };
    return { offset: 0, skipPartial: false };
  }

  /** Follows the file at `path` (whatever file it is by the time it is opened). */
  private async follow(
    path: string,
    startFor: (key: string, size: number) => StartAt = (k, size) => this.startOf(k, size),
    expectKey?: string,
  ): Promise<FileTracker | undefined> {
    const t = await FileTracker.open(path, startFor, this.tracker);
    if (t === undefined) return undefined;
    if (
      (expectKey !== undefined && t.key !== expectKey) ||
      this.trackers.has(t.key) ||
      this.d.claims.has(t.key)
    ) {
      t.takeLostTail();
      await t.close(false);
      return undefined;
    }
    this.trackers.set(t.key, t);
    this.d.claims.set(t.key, this);
    this.dirty.add(t);
    this.d.log.info("following file", { path, from: t.lineOffset });
    if (await this.recoverTail(t)) this.dirty.add(t);
    return t;
  }

  /**
   * After `t`'s content was replaced before it was read to the end: follows the rotated
   * copy from where reading stopped, and reads it before `t` goes on. True when `t` had
   * such a tail (whether or not a copy was found).
   */
  private async recoverTail(t: FileTracker): Promise<boolean> {
    const tail = t.takeLostTail();
    if (tail === undefined) return false;
    const copy = await findRotatedCopy(
      dirname(t.path),
      tail,
      (path, key) => this.trackers.has(key) || this.d.claims.has(key) || this.owns(path),
    );
    if (copy === undefined) {
      this.d.log.warn(
        "no rotated copy of the replaced content found; lines written after the last one read may be lost",
        {
          path: t.path,
          read_up_to: tail.offset,
        },
      );
      return true;
    }
    const start: StartAt = { offset: tail.offset, skipPartial: false, head: tail.head };
    const c = await this.follow(copy.path, () => start, copy.key);
    if (c === undefined) return true;
    this.d.log.info("reading the rest of the replaced content from its rotated copy", {
      path: t.path,
      copy: copy.path,
      from: tail.offset,
      bytes: copy.size - tail.offset,
    });
    // Its positions carry the configured path, so a restart adopts it like a renamed file.
    c.path = t.path;
    c.orphanSince = this.d.clock.now();
    await this.service(c);
    return true;
  }

  /** Finds a file a previous run was reading that has since been renamed out of the pattern. */
  async adopt(pos: FilePosition): Promise<boolean> {
    const dir = dirname(pos.path);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(dir, name);
      if (isCompressed(path)) continue;
      const st = await stat(path, { bigint: true }).catch(() => undefined);
      if (st === undefined || `${st.dev}:${st.ino}` !== pos.key || this.d.claims.has(pos.key))
        continue;
      const t = await this.follow(path, undefined, pos.key);
      if (t === undefined) return false;
      t.orphanSince = this.d.clock.now();
      this.signal();
      return true;
    }
    return false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll !== undefined) this.d.clock.clearTimer(this.poll);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.signal();
    await this.loopDone;
    for (const t of [...this.trackers.values()]) await this.drop(t, false);
  }
}
