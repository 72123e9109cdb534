/**
 * File patterns as CrowdSec (Go's filepath.Glob) reads them: `*`, `?` and `[…]` classes
 * (`[!…]` negated) within one path segment, in any segment; no `**`. Compressed files
 * (rotated archives) never match: they cannot be tailed.
 */
import { readdir } from "node:fs/promises";
import { basename, isAbsolute, join, resolve, sep } from "node:path";

const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|lzma|lzo|z|zip|7z|br|tgz|tbz2?)$/i;

export function isCompressed(path: string): boolean {
  return COMPRESSED.test(path);
}

function hasWildcard(segment: string): boolean {
  return /[*?[]/.test(segment);
}

function classToRegex(seg: string, i: number): [string, number] {
  const end = seg.indexOf("]", i + 2);
  if (end < 0) return ["\\[", i + 1];
  let body = seg.slice(i + 1, end);
  if (body.startsWith("!") || body.startsWith("^")) body = `^${body.slice(1)}`;
  return [`[${body.replace(/\\/g, "\\\\")}]`, end + 1];
}

/** A RegExp matching one path segment against a glob segment. */
function segmentRegex(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; ) {
    const c = seg[i] as string;
    if (c === "*") {
      re += "[^/]*";
      i++;
    } else if (c === "?") {
      re += "[^/]";
      i++;
    } else if (c === "[") {
      const [part, next] = classToRegex(seg, i);
      re += part;
      i = next;
    } else {
      re += c.replace(/[.+^${}()|\\]/g, "\\$&");
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

/** Whether a whole path matches a pattern (both absolute). */
export function globMatch(pattern: string, path: string): boolean {
  const ps = pattern.split(sep);
  const xs = path.split(sep);
  return (
    ps.length === xs.length &&
    ps.every((p, i) => (hasWildcard(p) ? segmentRegex(p).test(xs[i] as string) : p === xs[i]))
  );
}

export interface Expansion {
  /** Candidate files (a literal name is listed whether it exists or not). */
  files: string[];
  /** Directories whose entries decide the last segment: what to watch. */
  dirs: string[];
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Expands a pattern against the file system, segment by segment. */
export async function expandGlob(pattern: string, cwd: string): Promise<Expansion> {
  const abs = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  const segs = abs.split(sep).slice(1);
  let dirs: string[] = [sep];
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i] as string;
    if (!hasWildcard(seg)) {
      dirs = dirs.map((d) => join(d, seg));
      continue;
    }
    const re = segmentRegex(seg);
    const next: string[] = [];
    for (const d of dirs)
      for (const name of await list(d)) if (re.test(name)) next.push(join(d, name));
    dirs = next.sort();
  }
  const last = segs[segs.length - 1] ?? "";
  if (!hasWildcard(last)) return { files: dirs.map((d) => join(d, last)), dirs };
  const re = segmentRegex(last);
  const files: string[] = [];
  for (const d of dirs)
    for (const name of (await list(d)).sort()) if (re.test(name)) files.push(join(d, name));
  return { files, dirs };
}

/** Whether `path` is excluded: compressed, or matching an `exclude` glob (whole path or name). */
export function isExcluded(path: string, exclude: readonly string[]): boolean {
  if (isCompressed(path)) return true;
  const name = basename(path);
  return exclude.some((x) => (x.includes(sep) ? globMatch(x, path) : segmentRegex(x).test(name)));
}
