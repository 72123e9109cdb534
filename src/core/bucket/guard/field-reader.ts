import type { SubjectPath } from "../../expr/index";
import { fieldGetter, namedIndex, readNamed } from "../../expr/named-fields";

/**
 * Reads the plain-field subjects of all guards (`evt.Meta.http_path`, `evt.Meta.log_type`,
 * `evt.Parsed.verb`, …) of one event together: each shared prefix (`evt`, `evt.Meta`) is
 * read once, each field is one own-property read. It takes only the common case — every
 * level a plain object holding the key as an own property, or a plain object lacking the
 * last key, which reads as the path's Go zero value — and answers MISS otherwise, for the
 * subject's compiled expression to decide (nil errors, Maps, arrays…). Both agree by
 * construction: this is the compiled path's own fast case (expr/paths.ts).
 *
 * Fields of the event's string maps (`evt.Meta.x`, the usual subject) are read through one
 * switch of named reads (named-fields.ts), which keeps their inline caches; other paths
 * walk a tree of getters.
 */

export const MISS: unique symbol = Symbol("miss");

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The event's string maps, plain objects with own data properties only, built by
 * Palisade's parsers (the same trust as expr/paths.ts grants them).
 */
const EVENT_STRING_MAPS: readonly string[] = ["Meta", "Parsed", "Enriched"];

interface Node {
  /** Index of the node it is read from; -1 for `env.evt` itself. */
  readonly parent: number;
  readonly key: string;
  readonly get: (o: Record<string, unknown>) => unknown;
  /** Read from one of the event's string maps: a string found there is taken as is. */
  readonly fromStringMap: boolean;
}

/** A path's last node, the node it is read from, and the zero value of an absent last key. */
interface End {
  readonly node: number;
  readonly parent: number;
  readonly missing: unknown;
}

/** `evt.<string map>.<key>`. */
interface MapField {
  /** Output slot. */
  readonly out: number;
  /** Index into EVENT_STRING_MAPS. */
  readonly map: number;
  readonly named: number;
  readonly key: string;
  readonly missing: unknown;
}

export class FieldReader {
  private readonly nodes: Node[] = [];
  private readonly values: unknown[];
  private readonly ends: (End & { out: number })[] = [];
  private readonly mapFields: MapField[] = [];
  /** Per string map: read this event (1) or not needed (0). */
  private readonly mapUsed = new Uint8Array(EVENT_STRING_MAPS.length);
  private readonly maps: unknown[] = EVENT_STRING_MAPS.map(() => MISS);

  constructor(paths: readonly SubjectPath[]) {
    const byPrefix = new Map<string, number>();
    const nodeOf = (keys: readonly string[], n: number): number => {
      const sig = JSON.stringify(keys.slice(0, n));
      let id = byPrefix.get(sig);
      if (id === undefined) {
        const parent = n === 1 ? -1 : nodeOf(keys, n - 1);
        id = this.nodes.length;
        const fromStringMap = n === 2 && EVENT_STRING_MAPS.includes(keys[0] as string);
        const key = keys[n - 1] as string;
        this.nodes.push({ parent, key, get: fieldGetter(key), fromStringMap });
        byPrefix.set(sig, id);
      }
      return id;
    };
    paths.forEach((p, out) => {
      const map = p.keys.length === 2 ? EVENT_STRING_MAPS.indexOf(p.keys[0] as string) : -1;
      if (map >= 0) {
        const key = p.keys[1] as string;
        this.mapUsed[map] = 1;
        this.mapFields.push({ out, map, named: namedIndex(key), key, missing: p.missing });
        return;
      }
      const node = nodeOf(p.keys, p.keys.length);
      this.ends.push({ out, node, parent: (this.nodes[node] as Node).parent, missing: p.missing });
    });
    this.values = new Array<unknown>(this.nodes.length).fill(MISS);
  }

  /** Reads every path of `env.evt` into `out` (by path index): the value, or MISS. */
  read(env: Record<string, unknown>, out: unknown[]): void {
    const evt = own(env, EVT);
    this.readMaps(evt, out);
    if (this.ends.length > 0) this.readTree(evt, out);
  }

  private readMaps(evt: unknown, out: unknown[]): void {
    const maps = this.maps;
    for (let m = 0; m < maps.length; m++) {
      maps[m] = this.mapUsed[m] === 1 ? own(evt, MAP_NODES[m] as Key) : MISS;
    }
    const fields = this.mapFields;
    for (let k = 0; k < fields.length; k++) {
      const f = fields[k] as MapField;
      const o = maps[f.map];
      if (typeof o !== "object" || o === null) {
        out[f.out] = MISS;
        continue;
      }
      const v = readNamed(o as Record<string, unknown>, f.named, f.key);
      if (typeof v === "string" || (v !== undefined && hasOwn.call(o, f.key))) out[f.out] = v;
      else out[f.out] = Array.isArray(o) || o instanceof Map ? MISS : f.missing;
    }
  }

  private readTree(evt: unknown, out: unknown[]): void {
    const nodes = this.nodes;
    const values = this.values;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i] as Node;
      const o = n.parent < 0 ? evt : values[n.parent];
      values[i] = n.fromStringMap ? stringOrOwn(o, n) : own(o, n);
    }
    const ends = this.ends;
    for (let p = 0; p < ends.length; p++) {
      const end = ends[p] as End & { out: number };
      const v = values[end.node];
      out[end.out] = v !== MISS ? v : zero(end.parent < 0 ? evt : values[end.parent], end.missing);
    }
  }
}

type Key = Pick<Node, "key" | "get">;

const EVT: Key = { key: "evt", get: fieldGetter("evt") };
const MAP_NODES: readonly Key[] = EVENT_STRING_MAPS.map((key) => ({ key, get: fieldGetter(key) }));

function stringOrOwn(o: unknown, n: Key): unknown {
  if (typeof o !== "object" || o === null) return MISS;
  const v = n.get(o as Record<string, unknown>);
  if (typeof v === "string") return v;
  return v !== undefined && hasOwn.call(o, n.key) ? v : MISS;
}

function own(o: unknown, n: Key): unknown {
  if (typeof o !== "object" || o === null) return MISS;
  const v = n.get(o as Record<string, unknown>);
  return v !== undefined && hasOwn.call(o, n.key) ? v : MISS;
}

/**
 * The last key is absent: on a plain object it reads as the zero value, as the compiled
 * path's fetch would say; on anything else (nil, a Map, an array) the expression decides.
 */
function zero(parent: unknown, missing: unknown): unknown {
  if (typeof parent !== "object" || parent === null) return MISS;
  return Array.isArray(parent) || parent instanceof Map ? MISS : missing;
}
