import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Blocklist,
  canonicalEntryValue,
  type DecisionEntry,
  type DeltaOp,
  decodeSnapshot,
  encodeSnapshot,
} from "../../src/core/blocklist/index";
import { cidrContains, ipToRange, normalizeIp, parseCidr } from "../../src/core/ip";

// The blocklist against a naive reference: a linear scan over the entries using the
// ipaddr.js-based helpers of src/core/ip.ts (an independent implementation).

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const RANK: Record<string, number> = { ban: 0, captcha: 1, throttle: 2 };
const rank = (t: string) => RANK[t.toLowerCase()] ?? 3;

function matches(e: DecisionEntry, q: Query, prefix: number): boolean {
  const scope = e.scope.toLowerCase();
  const ip = normalizeIp(q.ip);
  if (scope === "ip") {
    const v = normalizeIp(e.value);
    if (!v || !ip || v.includes(":") !== ip.includes(":")) return false;
    return v.includes(":") ? ipToRange(v, prefix) === ipToRange(ip, prefix) : v === ip;
  }
  if (scope === "range") {
    const c = parseCidr(e.value);
    return !!c && e.value.includes("/") && !!ip && cidrContains(c, ip);
  }
  if (scope === "country") return e.value.toUpperCase() === q.country?.toUpperCase();
  if (scope === "as") return q.asn !== undefined && Number(e.value) === Number(q.asn);
  return false;
}

function naiveLookup(entries: Iterable<DecisionEntry>, q: Query, now: number, prefix = 64) {
  const live = [...entries].filter(
    (e) => Math.ceil(e.until / 1000) * 1000 > now && matches(e, q, prefix),
  );
  live.sort(
    (a, b) =>
      rank(a.type) - rank(b.type) ||
      Math.ceil(b.until / 1000) - Math.ceil(a.until / 1000) ||
      a.id - b.id,
  );
  return live[0];
}

interface Query {
  ip: string;
  country?: string;
  asn?: number;
}

// Small pools so entries and queries collide often.
const v4 = fc
  .tuple(fc.constantFrom(10, 192, 203), fc.nat(2), fc.nat(3), fc.nat(5))
  .map((o) => o.join("."));
const v6 = fc
  .tuple(fc.constantFrom("2001:db8:", "2001:DB8:0:", "fd00:1:"), fc.nat(2), fc.nat(3), fc.nat(5))
  .map(([p, a, b, c]) => normalizeIp(`${p}${a}::${b}:${c}`) as string);
const mapped = v4.map((ip) => `::ffff:${ip}`);
const anyIp = fc.oneof(v4, v6, mapped);
const range = fc.oneof(
  fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([ip, p]) => `${ip}/${p}`),
  fc.tuple(v6, fc.integer({ min: 16, max: 128 })).map(([ip, p]) => `${ip}/${p}`),
);
const country = fc.constantFrom("FR", "US", "t1", "de");
const asn = fc.constantFrom(13335, 15169, 64500);

const entryArb = (id: number) =>
  fc
    .record({
      type: fc.constantFrom("ban", "captcha", "throttle", "mfa", "Ban"),
      target: fc.oneof(
        anyIp.map((value) => ({ scope: "Ip", value })),
        range.map((value) => ({ scope: "Range", value })),
        country.map((value) => ({ scope: "Country", value })),
        asn.map((n) => ({ scope: "AS", value: String(n) })),
      ),
      until: fc.integer({ min: NOW - 5000, max: NOW + 5000 }),
    })
    .map(({ type, target, until }) => ({ id, type, ...target, until }));

const entriesArb = fc
  .array(fc.nat(), { maxLength: 60 })
  .chain((xs) => fc.tuple(...xs.map((_, i) => entryArb(i + 1))));

const queryArb: fc.Arbitrary<Query> = fc.record(
  { ip: anyIp, country, asn },
  { requiredKeys: ["ip"] },
);
const nowArb = fc.integer({ min: NOW - 6000, max: NOW + 6000 });

describe("blocklist properties", () => {
  it("lookup agrees with a linear scan", () => {
    fc.assert(
      fc.property(
        entriesArb,
        fc.array(queryArb, { minLength: 1, maxLength: 20 }),
        nowArb,
        (entries, queries, now) => {
          const bl = Blocklist.fromSnapshot(encodeSnapshot(entries));
          for (const q of queries) {
            expect(bl.lookup(q, now)?.id).toBe(naiveLookup(entries, q, now)?.id);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("honours the configured IPv6 prefix", () => {
    fc.assert(
      fc.property(entriesArb, queryArb, fc.constantFrom(48, 56, 64, 96, 128), (entries, q, p) => {
        const bl = Blocklist.fromSnapshot(encodeSnapshot(entries), { ipv6Prefix: p });
        expect(bl.lookup(q, NOW)?.id).toBe(naiveLookup(entries, q, NOW, p)?.id);
      }),
      { numRuns: 300 },
    );
  });

  it("base plus deltas agrees with the same operations on a map", () => {
    const opsArb = fc.array(
      fc.oneof(
        fc
          .integer({ min: 1, max: 90 })
          .chain((id) => entryArb(id).map((d) => ({ op: "add", d }) as DeltaOp)),
        fc.integer({ min: 1, max: 90 }).map((id) => ({ op: "del", id }) as DeltaOp),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(entriesArb, fc.array(opsArb, { maxLength: 4 }), queryArb, (base, batches, q) => {
        const bl = Blocklist.fromSnapshot(encodeSnapshot(base));
        const ref = new Map<number, DecisionEntry>(base.map((e) => [e.id, e]));
        for (const ops of batches) {
          bl.apply(ops);
          for (const o of ops) {
            if (o.op === "add") ref.set(o.d.id, o.d);
            else ref.delete(o.id);
          }
          expect(bl.lookup(q, NOW)?.id).toBe(naiveLookup(ref.values(), q, NOW)?.id);
        }
        expect(bl.size).toBe(ref.size);
      }),
      { numRuns: 300 },
    );
  });

  it("decode(encode(x)) is x canonicalised, at second precision", () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const out = decodeSnapshot(encodeSnapshot(entries)).sort((a, b) => a.id - b.id);
        const want = entries.map((e) => ({
          id: e.id,
          type: e.type,
          scope: e.scope,
          value: canonicalEntryValue(e.scope, e.value),
          until: Math.ceil(e.until / 1000) * 1000,
        }));
        expect(out).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it("parses addresses as ipaddr.js does", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        expect(canonicalEntryValue("Ip", ip)).toBe(normalizeIp(ip));
        expect(canonicalEntryValue("Ip", ip.toUpperCase())).toBe(normalizeIp(ip));
      }),
      { numRuns: 2000 },
    );
  });

  it("canonicalises ranges as normalizeCidr does", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })),
          fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })),
        ),
        ([ip, p]) => {
          expect(canonicalEntryValue("Range", `${ip}/${p}`)).toBe(parseCidr(`${ip}/${p}`)?.text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
