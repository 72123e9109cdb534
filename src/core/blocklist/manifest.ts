import { TABLE_COUNT } from "./canonical";
import { type BaseRef, KV_KEYS, type Manifest, type PartRef } from "./types";

/**
 * Reads `bl:manifest` as KV returns it (parsed JSON): version 2, or version 1 (one base
 * key, no layout: a single part is decoded as it is, so its layout is not needed). Throws
 * an Error naming what is wrong; the edge then keeps its last good copy.
 */
export function readManifest(raw: unknown): Manifest {
  const m = raw as Record<string, unknown> | null;
  const where = KV_KEYS.manifest;
  if (typeof m !== "object" || m === null) throw new Error(`${where} is not a JSON object`);
  if (m.v !== 1 && m.v !== 2) throw new Error(`${where} has version ${String(m.v)}, not 1 or 2`);
  if (!isCount(m.epoch)) throw new Error(`${where}: epoch is not a non-negative integer`);
  if (!Array.isArray(m.deltas) || !m.deltas.every((k) => typeof k === "string")) {
    throw new Error(`${where}: deltas is not a list of keys`);
  }
  const allow = typeof m.allow === "string" && m.allow !== "" ? { allow: m.allow } : {};
  const base = m.v === 1 ? legacyBase(m.base) : baseRef(m.base);
  return {
    v: 2,
    epoch: m.epoch,
    base,
    deltas: m.deltas as string[],
    updated: typeof m.updated === "number" ? m.updated : 0,
    ...allow,
  };
}

function legacyBase(base: unknown): BaseRef | null {
  if (base === null) return null;
  if (typeof base !== "string") throw new Error(`${KV_KEYS.manifest}: base is not a key or null`);
  return {
    bytes: 0,
    counts: [],
    types: [],
    ids64: false,
    parts: [{ key: base, bytes: 0, counts: [] }],
  };
}

function baseRef(raw: unknown): BaseRef | null {
  if (raw === null) return null;
  const b = raw as Record<string, unknown>;
  const bad = (what: string) => new Error(`${KV_KEYS.manifest}: base ${what}`);
  if (typeof b !== "object" || b === null) throw bad("is not an object or null");
  if (!Array.isArray(b.parts) || b.parts.length === 0) throw bad("has no parts");
  const parts = b.parts.map((p, i) => partRef(p, i));
  if (!isCount(b.bytes) || !isCounts(b.counts)) throw bad("has no byte length or table counts");
  if (!Array.isArray(b.types) || !b.types.every((t) => typeof t === "string")) {
    throw bad("types is not a list of names");
  }
  for (let t = 0; t < TABLE_COUNT; t++) {
    const sum = parts.reduce((n, p) => n + (p.counts[t] as number), 0);
    if (sum !== b.counts[t])
      throw bad(`table ${t} counts ${b.counts[t]} entries, its parts ${sum}`);
  }
  return {
    bytes: b.bytes,
    counts: b.counts,
    types: b.types as string[],
    ids64: b.ids64 === true,
    parts,
  };
}

function partRef(raw: unknown, i: number): PartRef {
  const p = raw as Record<string, unknown> | null;
  if (
    typeof p !== "object" ||
    p === null ||
    typeof p.key !== "string" ||
    !isCount(p.bytes) ||
    !isCounts(p.counts)
  ) {
    throw new Error(`${KV_KEYS.manifest}: base part ${i} is not {key, bytes, counts}`);
  }
  return { key: p.key, bytes: p.bytes, counts: p.counts };
}

function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

function isCounts(c: unknown): c is number[] {
  return Array.isArray(c) && c.length === TABLE_COUNT && c.every(isCount);
}

/** Every key a manifest names (base parts, deltas, the allowlist). */
export function manifestKeys(m: Manifest): string[] {
  const keys = [...(m.base?.parts.map((p) => p.key) ?? []), ...m.deltas];
  if (m.allow) keys.push(m.allow);
  return keys;
}
