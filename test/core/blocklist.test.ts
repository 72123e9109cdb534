import { describe, expect, it } from "vitest";
import {
  Blocklist,
  canonicalEntryValue,
  type DecisionEntry,
  decodeSnapshot,
  encodeSnapshot,
  KV_KEYS,
} from "../../src/core/blocklist/index";

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const HOUR = 3_600_000;

let nextId = 1;
function entry(type: string, scope: string, value: string, until = NOW + HOUR): DecisionEntry {
  return { id: nextId++, type, scope, value, until };
}

function list(entries: DecisionEntry[], ipv6Prefix?: number): Blocklist {
  return Blocklist.fromSnapshot(
    encodeSnapshot(entries),
    ipv6Prefix === undefined ? {} : { ipv6Prefix },
  );
}

describe("snapshot encoding", () => {
  it("round-trips every scope with canonical values and second precision", () => {
    const input = [
      entry("ban", "Ip", "203.0.113.7", NOW + 1234),
      entry("captcha", "ip", "::ffff:198.51.100.1"),
      entry("ban", "Ip", "2001:DB8:0:0:0:0:0:1"),
      entry("throttle", "Range", "10.1.2.3/8"),
      entry("ban", "Range", "2001:db8:1::/48"),
      entry("ban", "Range", "::ffff:192.0.2.0/120"),
      entry("custom", "Country", "fr"),
      entry("ban", "AS", "AS0013335"),
      { id: 2 ** 40, type: "ban", scope: "Ip", value: "192.0.2.1", until: NOW + HOUR },
    ];
    const out = decodeSnapshot(encodeSnapshot(input)).sort((a, b) => a.id - b.id);
    expect(out.map((e) => `${e.id} ${e.type} ${e.scope} ${e.value}`)).toEqual([
      `${input[0]?.id} ban Ip 203.0.113.7`,
      `${input[1]?.id} captcha Ip 198.51.100.1`,
      `${input[2]?.id} ban Ip 2001:db8::1`,
      `${input[3]?.id} throttle Range 10.0.0.0/8`,
      `${input[4]?.id} ban Range 2001:db8:1::/48`,
      `${input[5]?.id} ban Range 192.0.2.0/24`,
      `${input[6]?.id} custom Country FR`,
      `${input[7]?.id} ban AS 13335`,
      `${2 ** 40} ban Ip 192.0.2.1`,
    ]);
    // Rounded up to the second, so a decision never ends early.
    expect(out[0]?.until).toBe(Math.ceil((NOW + 1234) / 1000) * 1000);
  });

  it("leaves out what the edge cannot match and keeps expired entries", () => {
    const input = [
      entry("ban", "Username", "root"),
      entry("ban", "Ip", "not-an-ip"),
      entry("ban", "Range", "10.0.0.0/33"),
      entry("ban", "Country", "FRA"),
      entry("ban", "Ip", "192.0.2.9", NOW - HOUR),
    ];
    const out = decodeSnapshot(encodeSnapshot(input));
    expect(out.map((e) => e.value)).toEqual(["192.0.2.9"]);
  });

  it("is compact: 13 bytes per IPv4 address", () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      entry("ban", "Ip", `198.51.${i >> 8}.${i & 255}`),
    );
    const bytes = encodeSnapshot(many).byteLength - encodeSnapshot([]).byteLength;
    expect(bytes).toBeLessThanOrEqual(13 * 1000 + 16);
  });

  it("rejects bytes that are not a snapshot", () => {
    const good = encodeSnapshot([entry("ban", "Ip", "192.0.2.1")]);
    expect(() => Blocklist.fromSnapshot(new Uint8Array(8))).toThrow(/too short/);
    const bad = good.slice();
    bad[0] = 0;
    expect(() => Blocklist.fromSnapshot(bad)).toThrow(/magic/);
    expect(() => Blocklist.fromSnapshot(good.slice(0, good.length - 8))).toThrow(/declares/);
  });

  it("reads a snapshot from a misaligned view", () => {
    const good = encodeSnapshot([entry("ban", "Ip", "192.0.2.1")]);
    const shifted = new Uint8Array(good.length + 3);
    shifted.set(good, 3);
    const bl = Blocklist.fromSnapshot(shifted.subarray(3));
    expect(bl.lookup({ ip: "192.0.2.1" }, NOW)?.type).toBe("ban");
  });

  it("throws on what only a bug produces", () => {
    expect(() => encodeSnapshot([{ ...entry("ban", "Ip", "192.0.2.1"), id: -1 }])).toThrow(/id/);
    expect(() =>
      encodeSnapshot([{ ...entry("ban", "Ip", "192.0.2.1"), until: Number.NaN }]),
    ).toThrow(/until/);
  });

  it("names its KV keys", () => {
    expect(KV_KEYS.manifest).toBe("bl:manifest");
    expect(KV_KEYS.base(3)).toBe("bl:base:3");
    expect(KV_KEYS.delta(3, 7)).toBe("bl:delta:3:7");
  });
});

describe("lookup", () => {
  it("finds IPv4 addresses, and misses their neighbours", () => {
    const bl = list([entry("ban", "Ip", "203.0.113.7")]);
    expect(bl.lookup({ ip: "203.0.113.7" }, NOW)).toMatchObject({
      type: "ban",
      scope: "Ip",
      value: "203.0.113.7",
    });
    expect(bl.lookup({ ip: "203.0.113.8" }, NOW)).toBeUndefined();
    expect(bl.lookup({ ip: "203.0.113.6" }, NOW)).toBeUndefined();
    expect(bl.lookup({ ip: "" }, NOW)).toBeUndefined();
  });

  it("treats IPv4-mapped IPv6 as IPv4, both in entries and in queries", () => {
    const bl = list([entry("ban", "Ip", "::ffff:203.0.113.7"), entry("ban", "Ip", "198.51.100.2")]);
    expect(bl.lookup({ ip: "203.0.113.7" }, NOW)?.value).toBe("203.0.113.7");
    expect(bl.lookup({ ip: "::ffff:198.51.100.2" }, NOW)?.value).toBe("198.51.100.2");
    expect(bl.lookup({ ip: "::ffff:c633:6402" }, NOW)?.value).toBe("198.51.100.2");
  });

  it("ranks ban over captcha over throttle over other types, whatever the scope", () => {
    const throttle = entry("throttle", "Ip", "192.0.2.10");
    const captcha = entry("captcha", "Range", "192.0.2.0/24");
    const ban = entry("ban", "Country", "FR");
    const other = entry("mfa", "AS", "64500", NOW + 10 * HOUR);
    const q = { ip: "192.0.2.10", country: "FR", asn: 64500 };
    expect(list([throttle, captcha, ban, other]).lookup(q, NOW)?.id).toBe(ban.id);
    expect(list([throttle, captcha, other]).lookup(q, NOW)?.id).toBe(captcha.id);
    expect(list([throttle, other]).lookup(q, NOW)?.id).toBe(throttle.id);
    expect(list([other]).lookup(q, NOW)?.id).toBe(other.id);
  });

  it("prefers the latest end among decisions of one type", () => {
    const short = entry("ban", "Ip", "192.0.2.10", NOW + HOUR);
    const long = entry("ban", "Range", "192.0.2.0/28", NOW + 4 * HOUR);
    expect(list([short, long]).lookup({ ip: "192.0.2.10" }, NOW)?.id).toBe(long.id);
  });

  it("ignores expired decisions, at second precision", () => {
    const expired = entry("ban", "Ip", "192.0.2.10", NOW);
    const live = entry("captcha", "Ip", "192.0.2.10", NOW + 1);
    const bl = list([expired, live]);
    expect(bl.lookup({ ip: "192.0.2.10" }, NOW)?.id).toBe(live.id);
    expect(bl.lookup({ ip: "192.0.2.10" }, NOW + 1000)).toBeUndefined();
    expect(bl.lookup({ ip: "192.0.2.10" }, NOW - 1)?.id).toBe(expired.id);
  });

  it("matches nested and sibling IPv4 ranges", () => {
    const wide = entry("throttle", "Range", "10.0.0.0/8");
    const inner = entry("ban", "Range", "10.1.0.0/16");
    const sibling = entry("captcha", "Range", "10.2.0.0/16");
    const tiny = entry("captcha", "Range", "10.1.2.3/32");
    const bl = list([wide, inner, sibling, tiny]);
    expect(bl.lookup({ ip: "10.1.2.3" }, NOW)?.id).toBe(inner.id);
    expect(bl.lookup({ ip: "10.2.255.255" }, NOW)?.id).toBe(sibling.id);
    expect(bl.lookup({ ip: "10.3.0.0" }, NOW)?.id).toBe(wide.id);
    expect(bl.lookup({ ip: "11.0.0.0" }, NOW)).toBeUndefined();
    expect(bl.lookup({ ip: "9.255.255.255" }, NOW)).toBeUndefined();
    expect(list([entry("ban", "Range", "0.0.0.0/0")]).lookup({ ip: "1.1.1.1" }, NOW)?.value).toBe(
      "0.0.0.0/0",
    );
  });

  it("matches IPv6 ranges, nested and at their edges", () => {
    const wide = entry("captcha", "Range", "2001:db8::/32");
    const inner = entry("ban", "Range", "2001:db8:aa::/48");
    const bl = list([wide, inner]);
    expect(bl.lookup({ ip: "2001:db8:aa:ffff:ffff:ffff:ffff:ffff" }, NOW)?.id).toBe(inner.id);
    expect(bl.lookup({ ip: "2001:db8:ab::" }, NOW)?.id).toBe(wide.id);
    expect(bl.lookup({ ip: "2001:db9::" }, NOW)).toBeUndefined();
    expect(bl.lookup({ ip: "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff" }, NOW)).toBeUndefined();
  });

  it("matches an IPv6 Ip entry over its /64, or the configured prefix", () => {
    const e = entry("ban", "Ip", "2001:db8:1:2::dead");
    expect(list([e]).lookup({ ip: "2001:db8:1:2:ffff::1" }, NOW)?.id).toBe(e.id);
    expect(list([e]).lookup({ ip: "2001:db8:1:3::dead" }, NOW)).toBeUndefined();
    expect(list([e], 128).lookup({ ip: "2001:db8:1:2:ffff::1" }, NOW)).toBeUndefined();
    expect(list([e], 128).lookup({ ip: "2001:DB8:1:2:0:0:0:DEAD" }, NOW)?.id).toBe(e.id);
    expect(list([e], 48).lookup({ ip: "2001:db8:1:ffff::" }, NOW)?.id).toBe(e.id);
  });

  it("says whether it holds Country or AS entries (so request.cf can be skipped)", () => {
    const bl = list([entry("ban", "Ip", "192.0.2.1")]);
    expect(bl.usesGeo).toBe(false);
    bl.apply([{ op: "add", d: entry("ban", "AS", "64500") }]);
    expect(bl.usesGeo).toBe(true);
    expect(list([entry("ban", "Country", "FR")]).usesGeo).toBe(true);
  });

  it("matches countries (any case) and AS numbers (number or text)", () => {
    const fr = entry("captcha", "Country", "FR");
    const as = entry("ban", "AS", "13335");
    const bl = list([fr, as]);
    expect(bl.lookup({ ip: "192.0.2.1", country: "fr" }, NOW)?.id).toBe(fr.id);
    expect(bl.lookup({ ip: "192.0.2.1", country: "DE" }, NOW)).toBeUndefined();
    expect(bl.lookup({ ip: "192.0.2.1", asn: 13335 }, NOW)?.id).toBe(as.id);
    expect(bl.lookup({ ip: "192.0.2.1", asn: "13335" }, NOW)?.id).toBe(as.id);
    expect(bl.lookup({ ip: "192.0.2.1", asn: "AS13335" }, NOW)).toBeUndefined();
    expect(bl.lookup({ ip: "192.0.2.1", asn: 13336 }, NOW)).toBeUndefined();
  });
});

describe("deltas", () => {
  it("add, replace and delete over the base", () => {
    const base = entry("captcha", "Ip", "192.0.2.1");
    const bl = list([base, entry("ban", "Ip", "192.0.2.2")]);
    expect(bl.size).toBe(2);
    const added = entry("ban", "Range", "198.51.100.0/24");
    expect(bl.apply([{ op: "add", d: added }])).toBe(0);
    expect(bl.lookup({ ip: "198.51.100.77" }, NOW)?.id).toBe(added.id);
    expect(bl.size).toBe(3);
    // Same id again: the delta's version replaces the base's.
    bl.apply([{ op: "add", d: { ...base, type: "throttle" } }]);
    expect(bl.lookup({ ip: "192.0.2.1" }, NOW)).toMatchObject({ id: base.id, type: "throttle" });
    expect(bl.size).toBe(3);
    bl.apply([
      { op: "del", id: base.id },
      { op: "del", id: added.id },
    ]);
    expect(bl.lookup({ ip: "192.0.2.1" }, NOW)).toBeUndefined();
    expect(bl.lookup({ ip: "198.51.100.77" }, NOW)).toBeUndefined();
    expect(bl.lookup({ ip: "192.0.2.2" }, NOW)?.type).toBe("ban");
    expect(bl.size).toBe(1);
  });

  it("an add the edge cannot match still removes the id it replaces", () => {
    const base = entry("ban", "Ip", "192.0.2.1");
    const bl = list([base]);
    expect(bl.apply([{ op: "add", d: { ...base, scope: "Username", value: "root" } }])).toBe(1);
    expect(bl.lookup({ ip: "192.0.2.1" }, NOW)).toBeUndefined();
    expect(bl.size).toBe(0);
  });

  it("ignores malformed operations and counts them", () => {
    const bl = Blocklist.empty();
    const junk = [null, { op: "add" }, { op: "del", id: "3" }, { op: "nope" }] as never[];
    expect(bl.apply(junk)).toBe(4);
    expect(bl.size).toBe(0);
  });

  it("works on an empty base (before the first compaction)", () => {
    const bl = Blocklist.empty();
    const e = entry("ban", "Ip", "2001:db8::1");
    bl.apply([{ op: "add", d: e }]);
    expect(bl.lookup({ ip: "2001:db8::2" }, NOW)?.id).toBe(e.id);
  });
});

describe("canonicalEntryValue", () => {
  it("canonicalises each scope", () => {
    expect(canonicalEntryValue("Ip", " ::ffff:10.0.0.1 ")).toBe("10.0.0.1");
    expect(canonicalEntryValue("ip", "2001:0db8:0000:0000:0000:0000:0000:0001")).toBe(
      "2001:db8::1",
    );
    expect(canonicalEntryValue("Ip", "2001:db8:1:2:3:4:5:6", 64)).toBe("2001:db8:1:2::");
    expect(canonicalEntryValue("Ip", "192.0.2.1", 64)).toBe("192.0.2.1");
    expect(canonicalEntryValue("Range", "192.0.2.77/24")).toBe("192.0.2.0/24");
    expect(canonicalEntryValue("Range", "192.0.2.77")).toBe("192.0.2.77/32");
    expect(canonicalEntryValue("RANGE", "2001:db8::1/32")).toBe("2001:db8::/32");
    expect(canonicalEntryValue("Country", "t1")).toBe("T1");
    expect(canonicalEntryValue("AS", "as00042")).toBe("42");
  });
  it("is undefined for what the edge cannot match", () => {
    expect(canonicalEntryValue("Username", "root")).toBeUndefined();
    expect(canonicalEntryValue("Ip", "10")).toBeUndefined();
    expect(canonicalEntryValue("Ip", "01.2.3.4")).toBeUndefined();
    expect(canonicalEntryValue("Ip", "fe80::1%eth0")).toBeUndefined();
    expect(canonicalEntryValue("Range", "10.0.0.0/x")).toBeUndefined();
    expect(canonicalEntryValue("Country", "FRA")).toBeUndefined();
    expect(canonicalEntryValue("AS", "4294967296")).toBeUndefined();
  });
});
