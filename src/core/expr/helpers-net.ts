import { type Cidr, cidrContains, ipToRange, ipVersion, parseCidr } from "../ip";
import { arr, boundedCache, type FnDef, str } from "./call-site";
import { parseGoFloat, parseGoInt } from "./gostrings";
import { fail } from "./runtime";

/** CrowdSec's IP, geography and time helpers. Times are ms since the epoch, durations ms. */

/** Go's net.ParseIP accepts no surrounding spaces and no IPv6 zone. */
function goIpVersion(s: string): 4 | 6 | undefined {
  if (s.trim() !== s || s.includes("%")) return undefined;
  return ipVersion(s);
}

function ipInRange(site: Parameters<typeof boundedCache>[0], ip: string, range: string): boolean {
  if (goIpVersion(ip) === undefined || !range.includes("/")) return false;
  const cache = boundedCache<Cidr | null>(site, 1024);
  let cidr = cache.get(range);
  if (cidr === undefined) {
    cidr = range.trim() === range ? (parseCidr(range) ?? null) : null;
    cache.set(range, cidr);
  }
  return cidr !== null && cidrContains(cidr, ip);
}

function ipToRangeHelper(ip: string, cidr: string): string {
  const bits = parseGoInt(cidr.startsWith("/") ? cidr.slice(1) : cidr);
  if (bits === undefined || goIpVersion(ip) === undefined) return "";
  return ipToRange(ip, bits) ?? "";
}

const EARTH_RADIUS_KM = 6371;

/** Haversine distance in km; 0 when a coordinate is not a number or either point is 0,0. */
function distanceKm(lat1: string, lon1: string, lat2: string, lon2: string): number {
  const c = [lat1, lon1, lat2, lon2].map(parseGoFloat);
  if (c.some((x) => x === undefined)) return 0;
  const [a1, o1, a2, o2] = c as [number, number, number, number];
  if ((a1 === 0 && o1 === 0) || (a2 === 0 && o2 === 0)) return 0;
  const rad = Math.PI / 180;
  const dLat = (a2 - a1) * rad;
  const dLon = (o2 - o1) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a1 * rad) * Math.cos(a2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * Math.atan2(Math.sqrt(h), Math.sqrt(1 - h)) * EARTH_RADIUS_KM;
}

/** Gaps between consecutive times (sorted), for Median/AverageInterval. */
function intervals(times: readonly unknown[], fn: string): number[] {
  const ts = times.map((t, i) => {
    if (typeof t !== "number") fail(`${fn}: element ${i} must be a time (ms since the epoch)`);
    return t;
  });
  ts.sort((x, y) => x - y);
  const out: number[] = [];
  for (let i = 1; i < ts.length; i++) out.push((ts[i] as number) - (ts[i - 1] as number));
  return out;
}

function medianInterval(times: readonly unknown[]): number {
  const gaps = intervals(times, "MedianInterval").sort((x, y) => x - y);
  if (gaps.length === 0) return 0;
  const mid = gaps.length >> 1;
  return gaps.length % 2 === 1
    ? (gaps[mid] as number)
    : ((gaps[mid - 1] as number) + (gaps[mid] as number)) / 2;
}

function averageInterval(times: readonly unknown[]): number {
  const gaps = intervals(times, "AverageInterval");
  return gaps.length === 0 ? 0 : gaps.reduce((s, g) => s + g, 0) / gaps.length;
}

/** ParseUnix("1700000000.123") → RFC 3339 in UTC (CrowdSec formats in the host's zone). */
function parseUnix(value: string): string {
  const secs = parseGoInt(value.split(".")[0] as string);
  if (secs === undefined || secs <= 0 || secs > 253402300799) return "";
  return new Date(secs * 1000).toISOString().replace(".000Z", "Z");
}

export const NET_HELPERS: Record<string, FnDef> = {
  IpInRange: {
    min: 2,
    max: 2,
    call: (_rt, site, a, b) => ipInRange(site, str(a, "IpInRange", 1), str(b, "IpInRange", 2)),
  },
  IpToRange: {
    min: 2,
    max: 2,
    pure: true,
    call: (_r, _s, a, b) => ipToRangeHelper(str(a, "IpToRange", 1), str(b, "IpToRange", 2)),
  },
  IsIPV4: {
    min: 1,
    max: 1,
    pure: true,
    call: (_r, _s, a) => goIpVersion(str(a, "IsIPV4", 1)) === 4,
  },
  IsIPV6: {
    min: 1,
    max: 1,
    pure: true,
    call: (_r, _s, a) => goIpVersion(str(a, "IsIPV6", 1)) === 6,
  },
  IsIP: {
    min: 1,
    max: 1,
    pure: true,
    call: (_r, _s, a) => goIpVersion(str(a, "IsIP", 1)) !== undefined,
  },
  Distance: {
    min: 4,
    max: 4,
    pure: true,
    call: (_r, _s, a, b, c, d) =>
      distanceKm(
        str(a, "Distance", 1),
        str(b, "Distance", 2),
        str(c, "Distance", 3),
        str(d, "Distance", 4),
      ),
  },
  ParseUnix: { min: 1, max: 1, pure: true, call: (_r, _s, a) => parseUnix(str(a, "ParseUnix", 1)) },
  MedianInterval: {
    min: 1,
    max: 1,
    pure: true,
    call: (_r, _s, a) => medianInterval(arr(a, "MedianInterval", 1)),
  },
  AverageInterval: {
    min: 1,
    max: 1,
    pure: true,
    call: (_r, _s, a) => averageInterval(arr(a, "AverageInterval", 1)),
  },
};
