import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Blocklist,
  type DecisionEntry,
  decodeSnapshot,
  type EncodedPart,
  encodeSnapshot,
  readManifest,
  readSortKey,
  SnapshotAssembler,
  SnapshotEncoder,
  sortKeyOf,
} from "../../src/core/blocklist/index";
import { normalizeIp } from "../../src/core/ip";

// The streaming encoder, split bases and their assembly against the in-memory encoder
// (encode.ts, which sorts a whole list): same bytes, same lookups.

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const HOUR = 3_600_000;

const v4 = fc
  .tuple(fc.constantFrom(10, 192, 203), fc.nat(2), fc.nat(3), fc.nat(5))
  .map((o) => o.join("."));
const v6 = fc
  .tuple(fc.constantFrom("2001:db8:", "fd00:1:"), fc.nat(2), fc.nat(3), fc.nat(5))
  .map(([p, a, b, c]) => normalizeIp(`${p}${a}::${b}:${c}`) as string);
const target = fc.oneof(
  fc
    .oneof(
      v4,
      v6,
      v4.map((ip) => `::ffff:${ip}`),
    )
    .map((value) => ({ scope: "Ip", value })),
  fc
    .oneof(
      fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([ip, p]) => `${ip}/${p}`),
      fc.tuple(v6, fc.integer({ min: 16, max: 128 })).map(([ip, p]) => `${ip}/${p}`),
    )
    .map((value) => ({ scope: "Range", value })),
  fc.constantFrom("FR", "t1", "US").map((value) => ({ scope: "Country", value })),
  fc.constantFrom("13335", "AS64500").map((value) => ({ scope: "AS", value })),
  fc.constant({ scope: "Username", value: "root" }),
);
const entriesArb = fc
  .array(
    fc.record({
      type: fc.constantFrom("ban", "captcha", "throttle", "mfa"),
      target,
      until: fc.integer({ min: NOW - 5000, max: NOW + 5000 }),
      big: fc.boolean(),
    }),
    { maxLength: 400 },
  )
  .map((xs) =>
    xs.map(({ type, target, until, big }, i) => ({
      id: big && i % 7 === 0 ? 2 ** 33 + i : i + 1,
      type,
      ...target,
      until,
    })),
  );

/** Entries in snapshot order, as the Ledger reads them from SQLite (sort key, then id). */
function inSnapshotOrder(entries: readonly DecisionEntry[]): DecisionEntry[] {
  const keyed = entries.flatMap((e) => {
    const k = sortKeyOf(e.scope, e.value);
    return k ? [{ e, k }] : [];
  });
  keyed.sort((a, b) => compareBytes(a.k, b.k) || a.e.id - b.e.id);
  return keyed.map((x) => x.e);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/** Byte equality (vitest's deep equality walks a large typed array slowly). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function stream(entries: readonly DecisionEntry[], partBytes: number) {
  const enc = new SnapshotEncoder(partBytes);
  const parts: EncodedPart[] = [];
  for (const e of inSnapshotOrder(entries)) {
    const done = enc.addEntry(e);
    if (done) parts.push(done);
  }
  const last = enc.finish();
  if (last) parts.push(last);
  return { parts, layout: enc.layout(), enc };
}

function assemble(parts: EncodedPart[], layout: ReturnType<SnapshotEncoder["layout"]>) {
  const a = new SnapshotAssembler(layout);
  // Parts land in any order.
  for (const i of parts.map((_, i) => i).reverse()) a.add(i, (parts[i] as EncodedPart).data);
  return a.finish();
}

describe("streaming encoder", () => {
  it("writes the in-memory encoder's bytes, in one part or many assembled", () => {
    fc.assert(
      fc.property(entriesArb, fc.integer({ min: 4096, max: 6000 }), (entries, partBytes) => {
        const whole = encodeSnapshot([...entries].reverse());
        const one = stream(entries, 1 << 24);
        expect(one.parts).toHaveLength(1);
        expect(same(one.parts[0]?.data ?? new Uint8Array(), whole)).toBe(true);
        const split = stream(entries, partBytes);
        for (const p of split.parts) expect(p.data.byteLength).toBeLessThanOrEqual(partBytes);
        expect(same(assemble(split.parts, split.layout), whole)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("splits a list too large for one value: IPv4, IPv6, ranges and mixed decode as the whole", () => {
    type Made = { scope: string; value: string; probe: string };
    const kinds: Record<string, (i: number) => Made> = {
      ipv4: (i) => {
        const value = `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        return { scope: "Ip", value, probe: value };
      },
      ipv6: (i) => {
        const net = `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
        return { scope: "Ip", value: `${net}::1`, probe: `${net}::1` };
      },
      ranges: (i) => {
        const n = `${(i >> 8) & 255}.${i & 255}`;
        const h = (i & 0xffff).toString(16);
        return i % 2
          ? { scope: "Range", value: `12.${n}.0/24`, probe: `12.${n}.9` }
          : { scope: "Range", value: `2001:db9:${h}::/48`, probe: `2001:db9:${h}::9` };
      },
      mixed: (i) => [kinds.ipv4, kinds.ipv6, kinds.ranges][i % 3]?.(i) as Made,
    };
    for (const [kind, make] of Object.entries(kinds)) {
      const made = Array.from({ length: 20_000 }, (_, i) => make(i));
      const entries = made.map(({ scope, value }, i) => ({
        id: i + 1,
        type: i % 5 ? "ban" : "captcha",
        until: NOW + HOUR,
        scope,
        value,
      }));
      const { parts, layout } = stream(entries, 64 * 1024);
      expect(parts.length, kind).toBeGreaterThan(3);
      const bytes = assemble(parts, layout);
      expect(same(bytes, encodeSnapshot(entries)), kind).toBe(true);
      const list = Blocklist.fromSnapshot(bytes);
      for (const i of [0, 1, 2, 9_999, 19_999]) {
        const probe = (made[i] as Made).probe;
        expect(list.lookup({ ip: probe }, NOW)?.id, `${kind} ${probe}`).toBe(i + 1);
      }
      expect(list.lookup({ ip: "198.51.100.1" }, NOW), kind).toBeUndefined();
    }
  });

  it("holds one part, not the list: its peak memory does not grow with the list", () => {
    const peak = (n: number) => {
      const { enc, parts } = stream(
        Array.from({ length: n }, (_, i) => ({
          id: i + 1,
          type: "ban",
          scope: "Ip",
          value: `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          until: NOW + HOUR,
        })),
        256 * 1024,
      );
      return { peak: enc.peakBytes, parts: parts.length };
    };
    const small = peak(25_000);
    const large = peak(200_000);
    expect(large.parts).toBeGreaterThan(small.parts * 4);
    expect(large.peak).toBe(small.peak);
    // A part's columns (in 16k-entry chunks) and its encoding.
    expect(large.peak).toBeLessThan(3 * 256 * 1024);
  });

  it("refuses entries out of snapshot order (a writer bug)", () => {
    const enc = new SnapshotEncoder(4096);
    enc.addEntry({ id: 2, type: "ban", scope: "Ip", value: "192.0.2.2", until: NOW });
    expect(() =>
      enc.addEntry({ id: 3, type: "ban", scope: "Ip", value: "192.0.2.1", until: NOW }),
    ).toThrow(/out of snapshot order/);
    expect(() =>
      enc.addEntry({ id: 1, type: "ban", scope: "Ip", value: "192.0.2.2", until: NOW }),
    ).toThrow(/out of snapshot order/);
  });
});

describe("sort keys", () => {
  it("order entries as the snapshot does, and read back as their key", () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const ordered = inSnapshotOrder(entries);
        const decoded = decodeSnapshot(encodeSnapshot(entries));
        expect(decoded.map((e) => e.id)).toEqual(ordered.map((e) => e.id));
        const words = new Uint32Array(8);
        for (const e of ordered) {
          const table = readSortKey(sortKeyOf(e.scope, e.value) as Uint8Array, words);
          expect(table).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("collapse an IPv6 address to its /prefix, as the edge matches it", () => {
    const a = sortKeyOf("Ip", "2001:db8:1:2::5", 64);
    expect(a).toEqual(sortKeyOf("Ip", "2001:db8:1:2::", 64));
    expect(a).not.toEqual(sortKeyOf("Ip", "2001:db8:1:2::5"));
    expect(sortKeyOf("Username", "root")).toBeUndefined();
    expect(readSortKey(new Uint8Array([9, 0, 0, 0, 0]), new Uint32Array(8))).toBe(-1);
  });
});

describe("assembly", () => {
  const entries = Array.from({ length: 3000 }, (_, i) => ({
    id: i + 1,
    type: "ban",
    scope: "Ip",
    value: `11.0.${i >> 8}.${i & 255}`,
    until: NOW + HOUR,
  }));

  it("refuses a part that is not the one the manifest describes, and a missing part", () => {
    const { parts, layout } = stream(entries, 8192);
    const a = new SnapshotAssembler(layout);
    const last = parts[parts.length - 1] as EncodedPart;
    expect(() => a.add(0, last.data)).toThrow(/part 0 is not the part/);
    const junk = (parts[0] as EncodedPart).data.slice();
    junk[0] = 0;
    expect(() => a.add(0, junk)).toThrow(/magic/);
    a.add(0, (parts[0] as EncodedPart).data);
    expect(() => a.finish()).toThrow(/part 1 of the base was not added/);
    expect(() => new SnapshotAssembler({ ...layout, bytes: layout.bytes + 8 })).toThrow(/declares/);
  });

  it("reads version 1 and 2 manifests, and names what is wrong with a bad one", () => {
    const { layout } = stream(entries, 8192);
    const parts = layout.parts.map((p, i) => ({ ...p, key: `bl:base:3${i ? `:${i}` : ""}` }));
    const v2 = { v: 2, epoch: 3, base: { ...layout, parts }, deltas: ["bl:delta:3:0"], updated: 1 };
    expect(readManifest(v2)).toEqual(v2);
    expect(
      readManifest({ v: 1, epoch: 3, base: "bl:base:3", deltas: [], updated: 1 }).base?.parts,
    ).toEqual([{ key: "bl:base:3", bytes: 0, counts: [] }]);
    expect(() => readManifest({ ...v2, v: 3 })).toThrow(/version 3/);
    const counts = [...layout.counts];
    counts[0] = (counts[0] as number) + 1;
    expect(() => readManifest({ ...v2, base: { ...v2.base, counts } })).toThrow(/table 0 counts/);
    expect(() => readManifest({ ...v2, base: { ...v2.base, parts: [{ key: 1 }] } })).toThrow(
      /part 0/,
    );
  });
});
