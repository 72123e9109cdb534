import { encodeSnapshot } from "../../core/blocklist/encode";
import { decodeTables, entryAt, type Tables } from "../../core/blocklist/tables";
import type { DecisionEntry } from "../../core/blocklist/types";
import type { PublishedEntry } from "./types";

/**
 * The commons' base snapshot: the core/blocklist binary snapshot (what an edge enforces
 * as is: IPv6 /64 keys are stored as `Ip` entries of their network address, which the
 * edge matches across the whole /64) followed by each entry's scenario, which the CAPI
 * stream needs and the edge does not. Layout, little-endian:
 *   "PCS1" | u32 names length | names (JSON, UTF-16 code units as u16) | pad to 8 |
 *   u32 snapshot length | pad to 8 | snapshot (PBL1) | u16 scenario index per entry, in
 *   snapshot order.
 */

const MAGIC = 0x31534350; // "PCS1"

const align8 = (n: number) => (n + 7) & ~7;

/** Snapshot input: edge entries, and each entry's scenario as an index into `names`. */
export interface SnapshotInput {
  decisions: DecisionEntry[];
  names: readonly string[];
  scenarioOf(id: number): number;
}

/** The input for a list of published entries (tests, small lists). */
export function snapshotInput(entries: readonly PublishedEntry[]): SnapshotInput {
  const names: string[] = [];
  const index = new Map<string, number>();
  const byId = new Map<number, number>();
  const decisions = entries.map((e) => {
    let i = index.get(e.scenario);
    if (i === undefined) {
      i = names.length;
      names.push(e.scenario);
      index.set(e.scenario, i);
    }
    byId.set(e.id, i);
    return edgeDecision(e.id, e.key, e.until);
  });
  return { decisions, names, scenarioOf: (id) => byId.get(id) ?? 0 };
}

/** A listed key as the edge enforces it: a ban of the address, or of the /64's network. */
export function edgeDecision(id: number, key: string, until: number): DecisionEntry {
  const slash = key.indexOf("/");
  return { id, type: "ban", scope: "Ip", value: slash < 0 ? key : key.slice(0, slash), until };
}

export function encodeCommonsSnapshot(input: SnapshotInput): Uint8Array {
  const snapshot = encodeSnapshot(input.decisions);
  if (input.names.length > 0xffff)
    throw new RangeError("commons snapshot: more than 65,535 scenarios");
  const namesText = JSON.stringify(input.names);
  const snapAt = align8(8 + namesText.length * 2) + 8;
  const idxAt = align8(snapAt + snapshot.length);
  const t = decodeTables(snapshot);
  const out = new Uint8Array(idxAt + t.ids.length * 2);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, namesText.length, true);
  for (let k = 0; k < namesText.length; k++)
    view.setUint16(8 + k * 2, namesText.charCodeAt(k), true);
  view.setUint32(snapAt - 8, snapshot.length, true);
  out.set(snapshot, snapAt);
  for (let pos = 0; pos < t.ids.length; pos++) {
    view.setUint16(idxAt + pos * 2, input.scenarioOf(t.ids[pos] as number), true);
  }
  return out;
}

/** A decoded base: entries read one at a time (a million never live as objects at once). */
export class CommonsSnapshot {
  readonly size: number;
  private readonly tables: Tables;
  private readonly names: string[];
  private readonly scenarios: DataView;
  private readonly idxAt: number;

  constructor(bytes: Uint8Array) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC) throw new Error("not a commons snapshot (magic)");
    const n = view.getUint32(4, true);
    let text = "";
    for (let k = 0; k < n; k++) text += String.fromCharCode(view.getUint16(8 + k * 2, true));
    this.names = JSON.parse(text) as string[];
    const snapAt = align8(8 + n * 2) + 8;
    const len = view.getUint32(snapAt - 8, true);
    this.tables = decodeTables(bytes.subarray(snapAt, snapAt + len));
    this.idxAt = align8(snapAt + len);
    this.scenarios = view;
    this.size = this.tables.ids.length;
  }

  entry(pos: number): PublishedEntry {
    const d = entryAt(this.tables, pos);
    const v6 = d.value.includes(":");
    return {
      id: d.id,
      key: v6 ? `${d.value}/64` : d.value,
      scope: v6 ? "Range" : "Ip",
      scenario: this.names[this.scenarios.getUint16(this.idxAt + pos * 2, true)] ?? "",
      until: d.until,
    };
  }
}
