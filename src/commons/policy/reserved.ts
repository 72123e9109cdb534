import { IpRangeIndex, parseCidr, parseIp } from "../../core/ip";

/**
 * Addresses the commons never lists: IANA's special-purpose registries (RFC 6890 and its
 * updates) for IPv4 and IPv6, and every IPv6 address outside global unicast (2000::/3).
 * None of them is an attacker on the public internet: a report of one is a member's own
 * network, a proxy hop, or a forged source.
 */

const SPECIAL: readonly (readonly [string, string])[] = [
  ["0.0.0.0/8", "'this network' (RFC 791)"],
  ["10.0.0.0/8", "private network (RFC 1918)"],
  ["100.64.0.0/10", "shared address space, carrier-grade NAT (RFC 6598)"],
  ["127.0.0.0/8", "loopback (RFC 1122)"],
  ["169.254.0.0/16", "link-local (RFC 3927)"],
  ["172.16.0.0/12", "private network (RFC 1918)"],
  ["192.0.0.0/24", "IETF protocol assignments (RFC 6890)"],
  ["192.0.2.0/24", "documentation, TEST-NET-1 (RFC 5737)"],
  ["192.31.196.0/24", "AS112 service (RFC 7535)"],
  ["192.52.193.0/24", "AMT (RFC 7450)"],
  ["192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"],
  ["192.168.0.0/16", "private network (RFC 1918)"],
  ["192.175.48.0/24", "direct delegation AS112 service (RFC 7534)"],
  ["198.18.0.0/15", "benchmarking (RFC 2544)"],
  ["198.51.100.0/24", "documentation, TEST-NET-2 (RFC 5737)"],
  ["203.0.113.0/24", "documentation, TEST-NET-3 (RFC 5737)"],
  ["224.0.0.0/4", "multicast (RFC 5771)"],
  ["240.0.0.0/4", "reserved for future use (RFC 1112)"],
  ["255.255.255.255/32", "limited broadcast (RFC 919)"],
  ["::/128", "unspecified address (RFC 4291)"],
  ["::1/128", "loopback (RFC 4291)"],
  ["64:ff9b::/96", "IPv4/IPv6 translation (RFC 6052)"],
  ["64:ff9b:1::/48", "local-use IPv4/IPv6 translation (RFC 8215)"],
  ["100::/64", "discard-only (RFC 6666)"],
  ["2001::/23", "IETF protocol assignments, Teredo among them (RFC 2928)"],
  ["2001:db8::/32", "documentation (RFC 3849)"],
  ["2002::/16", "6to4 (RFC 3056): the IPv4 address inside is the source"],
  ["3fff::/20", "documentation (RFC 9637)"],
  ["fc00::/7", "unique local addresses (RFC 4193)"],
  ["fe80::/10", "link-local (RFC 4291)"],
  ["ff00::/8", "multicast (RFC 4291)"],
];

const GLOBAL_UNICAST_V6 = parseCidr("2000::/3");

const index = new IpRangeIndex(
  SPECIAL.map(([cidr, reason]) => {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new Error(`bad special-purpose range ${cidr}`);
    return { cidr: parsed, value: `${parsed.text}: ${reason}` };
  }),
);

/** Why an address (or the network of a range) can never be listed; undefined for a public one. */
export function reservedReason(text: string): string | undefined {
  const cidr = parseCidr(text);
  if (!cidr) return "not an IP address";
  const hit = index.overlapping(cidr);
  if (hit) return hit;
  if (cidr.version === 6 && GLOBAL_UNICAST_V6) {
    const ip = parseIp(cidr.addr.toString());
    if (!ip?.match(GLOBAL_UNICAST_V6.addr as never, 3))
      return `${cidr.text}: outside IPv6 global unicast (2000::/3)`;
  }
  return undefined;
}
