/**
 * Durable read positions (state_dir/offsets.json): per file its device, inode, offset and
 * a fingerprint of its first bytes; per journal its cursor. Updated only with positions
 * the Worker acknowledged, so a restart never skips an unacknowledged line.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileDurable } from "../durable-file";
import type { CursorPosition, FilePosition, Position } from "./batcher";

interface OffsetsDoc {
  v: 1;
  files: Record<string, FilePosition>;
  cursors: Record<string, CursorPosition>;
  sources_seen: string[];
}

export class OffsetsUnreadable extends Error {}

export class Offsets {
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;
  /** Files whose last line was read: forgotten once acknowledged up to that offset. */
  private retired = new Map<string, number>();

  private constructor(
    private readonly path: string,
    private readonly doc: OffsetsDoc,
  ) {}

  /** Loads state_dir/offsets.json; a missing file is an empty state. */
  static async load(stateDir: string): Promise<Offsets | OffsetsUnreadable> {
    const path = join(stateDir, "offsets.json");
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT")
        return new Offsets(path, { v: 1, files: {}, cursors: {}, sources_seen: [] });
      return new OffsetsUnreadable(`cannot read ${path}: ${(e as Error).message}`);
    }
    try {
      const doc = JSON.parse(text) as OffsetsDoc;
      if (doc.v !== 1 || typeof doc.files !== "object") throw new Error("unknown format");
      return new Offsets(path, doc);
    } catch (e) {
      return new OffsetsUnreadable(
        `${path} is not valid (${(e as Error).message}); restore it or delete it to start over (files are then read per start_at)`,
      );
    }
  }

  file(key: string): FilePosition | undefined {
    return this.doc.files[key];
  }

  files(): FilePosition[] {
    return Object.values(this.doc.files);
  }

  cursor(key: string): string | undefined {
    return this.doc.cursors[key]?.cursor;
  }

  seen(sourceId: string): boolean {
    return this.doc.sources_seen.includes(sourceId);
  }

  async markSeen(ids: readonly string[]): Promise<void> {
    const fresh = ids.filter((id) => !this.seen(id));
    if (fresh.length === 0) return;
    this.doc.sources_seen.push(...fresh);
    await this.save();
  }

  /** Records acknowledged positions (and forgets retired files now fully acknowledged). */
  async commit(positions: readonly Position[]): Promise<void> {
    for (const p of positions) {
      if (p.kind === "file") this.doc.files[p.key] = p;
      else this.doc.cursors[p.key] = p;
    }
    this.pruneRetired();
    await this.save();
  }

  /** The file `key` will not be read again; forget it once acknowledged up to `finalOffset`. */
  async retire(key: string, finalOffset: number): Promise<void> {
    this.retired.set(key, finalOffset);
    if (this.pruneRetired()) await this.save();
  }

  private pruneRetired(): boolean {
    let changed = false;
    for (const [key, final] of this.retired) {
      const f = this.doc.files[key];
      if (f === undefined || f.offset < final) continue;
      delete this.doc.files[key];
      this.retired.delete(key);
      changed = true;
    }
    return changed;
  }

  /** Writes the state; concurrent calls share one write when they can. */
  save(): Promise<void> {
    this.dirty = true;
    const run = this.saving.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      await writeFileDurable(this.path, JSON.stringify(this.doc));
    });
    this.saving = run.catch(() => {});
    return run;
  }
}
