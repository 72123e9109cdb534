import { describe, expect, it } from "vitest";
import {
  addrToBigInt,
  cidrBounds,
  cidrContains,
  IpRangeIndex,
  ipToRange,
  ipVersion,
  isIp,
  normalizeCidr,
  normalizeIp,
  parseCidr,
  parseIp,
} from "../../src/core/ip";

const cidr = (t: string) => {
  const c = parseCidr(t);
  if (!c) throw new Error(`test CIDR ${t} did not parse`);
  return c;
};

describe("IP parsing and normalisation", () => {
  it("normalises IPv4-mapped IPv6 to the IPv4 address", () => {
    expect(normalizeIp("::ffff:1.2.3.4")).toBe("1.2.3.4");
    expect(normalizeIp("::FFFF:0102:0304")).toBe("1.2.3.4");
    expect(ipVersion("::ffff:10.0.0.1")).toBe(4);
  });
  it("compresses IPv6 to its canonical text", () => {
    expect(normalizeIp("2001:0DB8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(normalizeIp(" 2001:db8::1 ")).toBe("2001:db8::1");
  });
  it("rejects what is not an IP, including IPv4 shorthands", () => {
    for (const bad of [
      "",
      "10",
      "0x7f.1",
      "1.2.3",
      "1.2.3.256",
      "1.2.3.4/24",
      "example.com",
      "::g",
    ]) {
      expect(parseIp(bad), bad).toBeUndefined();
      expect(isIp(bad), bad).toBe(false);
    }
    expect(isIp("1.2.3.4")).toBe(true);
  });
});

describe("CIDRs", () => {
  it("canonicalises networks, masking host bits", () => {
    expect(normalizeCidr("10.1.2.3/8")).toBe("10.0.0.0/8");
    expect(normalizeCidr("2001:db8:1:2:3:4:5:6/64")).toBe("2001:db8:1:2::/64");
    expect(normalizeCidr("1.2.3.4")).toBe("1.2.3.4/32");
    expect(normalizeCidr("::1")).toBe("::1/128");
    expect(normalizeCidr("::ffff:10.0.0.0/104")).toBe("10.0.0.0/8");
  });
  it("handles the edges /0, /32 and /128", () => {
    expect(normalizeCidr("8.8.8.8/0")).toBe("0.0.0.0/0");
    expect(normalizeCidr("2001:db8::1/0")).toBe("::/0");
    expect(cidrContains(cidr("0.0.0.0/0"), "255.255.255.255")).toBe(true);
    expect(cidrContains(cidr("0.0.0.0/0"), "::1")).toBe(false);
    expect(cidrContains(cidr("1.2.3.4/32"), "1.2.3.4")).toBe(true);
    expect(cidrContains(cidr("1.2.3.4/32"), "1.2.3.5")).toBe(false);
    expect(cidrContains(cidr("2001:db8::1/128"), "2001:db8::1")).toBe(true);
    expect(cidrContains(cidr("2001:db8::1/128"), "2001:db8::2")).toBe(false);
    expect(cidrBounds(cidr("::/0"))).toEqual({ version: 6, first: 0n, last: (1n << 128n) - 1n });
  });
  it("rejects bad prefixes and addresses", () => {
    for (const bad of [
      "1.2.3.4/33",
      "1.2.3.4/-1",
      "1.2.3.4/",
      "1.2.3.4/a",
      "::/129",
      "300.1.1.1/8",
      "/8",
    ]) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });
  it("matches IPv4-mapped addresses against IPv4 networks", () => {
    expect(cidrContains(cidr("10.0.0.0/8"), "::ffff:10.9.8.7")).toBe(true);
  });
  it("computes a network's bounds", () => {
    expect(cidrBounds(cidr("10.0.0.0/8"))).toEqual({
      version: 4,
      first: 167772160n,
      last: 184549375n,
    });
    expect(cidrBounds(cidr("2001:db8::/32"))).toEqual({
      version: 6,
      first: 0x20010db8n << 96n,
      last: (0x20010db8n << 96n) + (1n << 96n) - 1n,
    });
  });
});

describe("ranges and ordering", () => {
  it("gives the /64 of an IPv6 address and the /24 of an IPv4 one", () => {
    expect(ipToRange("2001:db8:aa:bb:1:2:3:4", 64)).toBe("2001:db8:aa:bb::/64");
    expect(ipToRange("1.2.3.4", 24)).toBe("1.2.3.0/24");
    expect(ipToRange("::ffff:1.2.3.4", 16)).toBe("1.2.0.0/16");
    expect(ipToRange("1.2.3.4", 33)).toBeUndefined();
    expect(ipToRange("nope", 24)).toBeUndefined();
  });
  it("converts addresses to integers", () => {
    expect(addrToBigInt(parseIp("255.255.255.255") as never)).toBe(4294967295n);
    expect(addrToBigInt(parseIp("::1") as never)).toBe(1n);
  });
});

describe("IpRangeIndex", () => {
  const index = new IpRangeIndex([
    { cidr: cidr("10.0.0.0/8"), value: "ten" },
    { cidr: cidr("10.1.0.0/16"), value: "ten-one" },
    { cidr: cidr("10.1.2.0/24"), value: "ten-one-two" },
    { cidr: cidr("10.200.0.0/16"), value: "ten-two-hundred" },
    { cidr: cidr("192.168.1.7/32"), value: "host" },
    { cidr: cidr("2001:db8::/32"), value: "doc6" },
    { cidr: cidr("10.0.0.0/8"), value: "duplicate" },
  ]);
  it("returns the most specific network containing an IP", () => {
    expect(index.lookup("10.1.2.3")).toBe("ten-one-two");
    expect(index.lookup("10.1.3.3")).toBe("ten-one");
    // After a nested block ends, the search must climb back to the enclosing /8.
    expect(index.lookup("10.2.0.1")).toBe("ten");
    expect(index.lookup("10.255.255.255")).toBe("ten");
    expect(index.lookup("192.168.1.7")).toBe("host");
    expect(index.lookup("192.168.1.8")).toBeUndefined();
    expect(index.lookup("2001:db8:ffff::1")).toBe("doc6");
    expect(index.lookup("::ffff:10.1.2.3")).toBe("ten-one-two");
    expect(index.lookup("9.255.255.255")).toBeUndefined();
    expect(index.lookup("not an ip")).toBeUndefined();
  });
  it("keeps the first value of a network listed twice", () => {
    expect(index.size).toBe(6);
    expect(index.lookup("10.3.0.0")).toBe("ten");
  });
  it("finds networks overlapping a range", () => {
    expect(index.overlapping(cidr("192.168.1.0/24"))).toBe("host");
    expect(index.overlapping(cidr("192.168.2.0/24"))).toBeUndefined();
    expect(index.overlapping(cidr("10.1.2.128/25"))).toBe("ten-one-two");
    expect(index.overlapping(cidr("0.0.0.0/0"))).toBeDefined();
    expect(index.overlapping(cidr("2001:db8:1::/48"))).toBe("doc6");
    expect(index.overlapping(cidr("2001:db9::/32"))).toBeUndefined();
  });
  it("agrees with a linear scan on many random networks", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const entries = Array.from({ length: 3000 }, (_, i) => {
      const ip = `${rand() % 256}.${rand() % 256}.${rand() % 256}.${rand() % 256}`;
      return { cidr: cidr(`${ip}/${8 + (rand() % 25)}`), value: i };
    });
    const big = new IpRangeIndex(entries);
    const bounds = entries.map((e) => cidrBounds(e.cidr));
    let hits = 0;
    for (let k = 0; k < 2000; k++) {
      const ip = `${rand() % 256}.${rand() % 256}.${rand() % 256}.${rand() % 256}`;
      const x = addrToBigInt(parseIp(ip) as never);
      let best: number | undefined;
      bounds.forEach((b, i) => {
        const better =
          best === undefined || (entries[i]?.cidr.prefix ?? 0) > (entries[best]?.cidr.prefix ?? 0);
        if (b.first <= x && x <= b.last && better) best = i;
      });
      const got = big.lookup(ip);
      if (best === undefined) expect(got).toBeUndefined();
      else {
        hits++;
        expect(entries[got as number]?.cidr.text).toBe(entries[best]?.cidr.text);
      }
    }
    expect(hits).toBeGreaterThan(100);
  });
});
