import { describe, expect, it } from "vitest";
import { SAFELIST_SOURCES } from "../../src/commons/data/safelist.gen";
import { boundRefusal, utcDay } from "../../src/commons/policy/bound";
import { certifiedVersionCount, certify } from "../../src/commons/policy/certified";
import { reservedReason } from "../../src/commons/policy/reserved";
import { compileSafeList, sourceEntries } from "../../src/commons/policy/safelist";
import { intakeOf, keyOf } from "../../src/commons/policy/signal";
import { shardOf } from "../../src/commons/shard-key";
import { CERTIFIED, MODIFIED, signal } from "./support/sim-world";

describe("reserved addresses", () => {
  it.each([
    ["10.1.2.3", "private network"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["127.0.0.1", "loopback"],
    ["169.254.1.1", "link-local"],
    ["192.0.2.1", "documentation"],
    ["198.18.0.1", "benchmarking"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::1", "loopback"],
    ["fd12::1", "unique local"],
    ["fe80::1", "link-local"],
    ["2001:db8::1", "documentation"],
    ["2002:c000:204::1", "6to4"],
    ["::ffff:10.0.0.1", "private network"],
    ["4000::1", "outside IPv6 global unicast"],
  ])("%s is never listed (%s)", (ip, why) => {
    expect(reservedReason(ip)).toContain(why);
  });

  it.each(["45.155.205.233", "8.8.8.8", "2a01:e0a::1", "104.16.0.1"])("%s is public", (ip) => {
    expect(reservedReason(ip)).toBeUndefined();
  });
});

describe("certified scenarios (the hub index and Palisade's pack, embedded at build)", () => {
  it("holds every published hub version", () => {
    expect(certifiedVersionCount()).toBeGreaterThan(1700);
  });

  it("certifies a published digest with its version, whichever version the engine runs", () => {
    for (const [name, version, hash] of CERTIFIED)
      expect(certify(name, version, hash)).toEqual({ certified: true, source: "hub" });
  });

  it("certifies the second scenario of a file by the file's digest (ssh-bf_user-enum)", () => {
    const [, , hash] = CERTIFIED[1];
    expect(certify("crowdsecurity/ssh-bf_user-enum", "0.3", hash).certified).toBe(true);
  });

  it.each([
    [MODIFIED[0], MODIFIED[1], MODIFIED[2], /^modified scenario/],
    ["crowdsecurity/ssh-bf", "0.1", CERTIFIED[1][2], /does not match its digest/],
    ["someone/else", "0.3", CERTIFIED[1][2], /published for crowdsecurity\/ssh-bf/],
    ["my/custom", "", "", /custom scenario/],
    ["crowdsecurity/ssh-bf", "0.3", "xyz", /not a sha256/],
  ])("refuses %s %s (%s)", (name, version, hash, why) => {
    const c = certify(name, version, hash);
    expect(c.certified).toBe(false);
    if (!c.certified) expect(c.why).toMatch(why);
  });
});

describe("the safe list", () => {
  const list = compileSafeList(SAFELIST_SOURCES);

  it("holds Cloudflare's edge, CloudFront, Gcore and search-engine crawlers from sec-lists", () => {
    expect(list.lookup("104.16.0.1")?.source).toBe("cdn_providers/cloudflare_ips");
    expect(list.lookup("2606:4700::1")?.source).toBe("cdn_providers/cloudflare_ip6s");
    expect(list.size).toBeGreaterThan(2000);
    expect(list.lookup("45.155.205.233")).toBeUndefined();
  });

  it("applies the operator's changes: a replaced source, additions, removals", () => {
    const changed = compileSafeList(SAFELIST_SOURCES, {
      sources: { "cdn_providers/cloudflare_ips": "198.41.128.0/17\n" },
      added: [{ cidr: "45.155.205.0/24", reason: "partner NAT" }],
      removed: ["173.245.48.0/20"],
    });
    expect(changed.lookup("104.16.0.1")).toBeUndefined();
    expect(changed.lookup("198.41.128.1")?.source).toBe("cdn_providers/cloudflare_ips");
    expect(changed.lookup("45.155.205.233")).toMatchObject({
      source: "operator",
      reason: "partner NAT",
    });
  });

  it("reads a source file: comments and blanks skipped, bad lines reported", () => {
    expect(sourceEntries("# x\n1.2.3.4\n\n10.0.0.0/8 # y\nnope\n")).toEqual({
      cidrs: ["1.2.3.4/32", "10.0.0.0/8"],
      rejected: ["nope"],
    });
  });
});

describe("intake of a signal", () => {
  const list = compileSafeList(SAFELIST_SOURCES);
  const ctx = { id: "x", now: Date.now(), windowMs: 7 * 86_400_000 };
  const enrolled = { id: "m", enrolled: true, trust: 1 };

  it("keys IPv4 by address and IPv6 by /64", () => {
    expect(keyOf("::ffff:45.155.205.233")).toEqual({ key: "45.155.205.233", scope: "Ip" });
    expect(keyOf("2a01:e0a:1f:2a0:1:2:3:4")).toEqual({
      key: "2a01:e0a:1f:2a0::/64",
      scope: "Range",
    });
  });

  it("counts an enrolled member's certified report of a public address", () => {
    const i = intakeOf(signal("45.155.205.233", ctx.now), enrolled, list, ctx);
    expect(i).toMatchObject({ kind: "report", safe: false, report: { counted: true, why: "" } });
  });

  it.each([
    [{ ...enrolled, enrolled: false }, signal("45.155.205.233", Date.now()), "member not enrolled"],
    [enrolled, signal("45.155.205.233", Date.now(), MODIFIED), "modified scenario"],
    [enrolled, signal("104.16.0.1", Date.now()), "safe list: 104.16.0.0/13"],
  ])("keeps but does not count (%j)", (member, s, why) => {
    const i = intakeOf(s, member, list, ctx);
    expect(i.kind).toBe("report");
    if (i.kind === "report") {
      expect(i.report.counted).toBe(false);
      expect(i.report.why).toContain(why);
    }
  });

  it("drops reserved, non-Ip and stale signals", () => {
    expect(intakeOf(signal("10.0.0.1", ctx.now), enrolled, list, ctx)).toMatchObject({
      kind: "ignored",
      reason: "reserved",
    });
    const range = {
      ...signal("1.2.3.4", ctx.now),
      source: { scope: "Range", value: "1.2.3.0/24" },
    };
    expect(intakeOf(range, enrolled, list, ctx)).toMatchObject({
      kind: "ignored",
      reason: "scope",
    });
    const old = signal("45.155.205.1", ctx.now - 8 * 86_400_000);
    expect(intakeOf(old, enrolled, list, ctx)).toMatchObject({ kind: "ignored", reason: "stale" });
  });
});

describe("the daily bound and the shard key", () => {
  it("refuses a batch that would pass the bound, saying when it resets", () => {
    const now = Date.UTC(2026, 11, 4, 15);
    expect(boundRefusal("m", 90, 10, 100, now)).toBeUndefined();
    expect(boundRefusal("m", 91, 10, 100, now)).toContain(
      "Send again after 2026-12-05T00:00:00.000Z",
    );
    expect(utcDay(now + 9 * 3_600_000)).toBe(utcDay(now) + 1);
  });

  it("spreads keys over shards evenly and stably", () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`45.${i >> 8}.${i & 255}.1`, 16)]++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
    expect(shardOf("45.155.205.233", 16)).toBe(shardOf("45.155.205.233", 16));
  });
});
