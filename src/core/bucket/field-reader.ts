import type { SubjectPath } from "../expr/index";
import { fieldGetter } from "../expr/named-fields";

/**
 * Reads the plain-field subjects of all guards (`evt.Meta.http_path`, `evt.Meta.log_type`,
 * `evt.Parsed.verb`, …) of one event together: each shared prefix (`evt`, `evt.Meta`) is
 * read once, each field is one own-property read. It takes only the common case — every
 * level a plain object holding the key as an own property, or a plain object lacking the
 * last key, which reads as the path's Go zero value — and answers MISS otherwise, for the
 * subject's compiled expression to decide (nil errors, Maps, arrays…). Both agree by
 * construction: this is the compiled path's own fast case (expr/paths.ts).
 */

export const MISS: unique symbol = Symbol("miss");

const hasOwn = Object.prototype.hasOwnProperty;

interface Node {
  /** Index of the node it is read from; -1 for `env.evt` itself. */
  readonly parent: number;
  readonly key: string;
  readonly get: (o: Record<string, unknown>) => unknown;
  /** Read from one of the event's string maps: a string found there is taken as is. */
  readonly fromStringMap: boolean;
}

/**
 * The event's string maps, plain objects with own data properties only, built by
 * Palisade's parsers (the same trust as expr/paths.ts grants them).
 */
const EVENT_STRING_MAPS: ReadonlySet<string> = new Set(["Meta", "Parsed", "Enriched"]);

/** A path's last node, the node it is read from, and the zero value of an absent last key. */
interface End {
  readonly node: number;
  readonly parent: number;
  readonly missing: unknown;
}

export class FieldReader {
  private readonly nodes: Node[] = [];
  private readonly values: unknown[];
  private readonly ends: End[];

  constructor(paths: readonly SubjectPath[]) {
    const byPrefix = new Map<string, number>();
    const nodeOf = (keys: readonly string[], n: number): number => {
      const sig = JSON.stringify(keys.slice(0, n));
      let id = byPrefix.get(sig);
      if (id === undefined) {
        const parent = n === 1 ? -1 : nodeOf(keys, n - 1);
        id = this.nodes.length;
        const fromStringMap = n === 2 && EVENT_STRING_MAPS.has(keys[0] as string);
        const key = keys[n - 1] as string;
        this.nodes.push({ parent, key, get: fieldGetter(key), fromStringMap });
        byPrefix.set(sig, id);
      }
      return id;
    };
    this.ends = paths.map((p) => {
      const node = nodeOf(p.keys, p.keys.length);
      return { node, parent: (this.nodes[node] as Node).parent, missing: p.missing };
    });
    this.values = new Array<unknown>(this.nodes.length).fill(MISS);
  }

  /** Reads every path of `env.evt` into `out` (by path index): the value, or MISS. */
  read(env: Record<string, unknown>, out: unknown[]): void {
    const evt = own(env, EVT);
    const nodes = this.nodes;
    const values = this.values;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i] as Node;
      const o = n.parent < 0 ? evt : values[n.parent];
      values[i] = n.fromStringMap ? stringOrOwn(o, n) : own(o, n);
    }
    const ends = this.ends;
    for (let p = 0; p < ends.length; p++) {
      const end = ends[p] as End;
      const v = values[end.node];
      out[p] = v !== MISS ? v : zero(end.parent < 0 ? evt : values[end.parent], end.missing);
    }
  }
}

const EVT: Pick<Node, "key" | "get"> = { key: "evt", get: fieldGetter("evt") };

function stringOrOwn(o: unknown, n: Pick<Node, "key" | "get">): unknown {
  if (typeof o !== "object" || o === null) return MISS;
  const v = n.get(o as Record<string, unknown>);
  if (typeof v === "string") return v;
  return v !== undefined && hasOwn.call(o, n.key) ? v : MISS;
}

function own(o: unknown, n: Pick<Node, "key" | "get">): unknown {
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
