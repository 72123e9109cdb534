import { ipToRange, parseIp } from "../../core/ip";

/**
 * The name of the SourceTracker an IP belongs to: the IPv4 address (IPv4-mapped IPv6
 * included), or the IPv6 network of `ipv6Prefix` bits (IPV6_PREFIX), since whoever holds
 * one address of a /64 holds all of it. Buckets inside stay keyed by their scenario's
 * groupby (the exact address); the decision history, hence escalation, is shared by the
 * prefix, as the profiles decide on it. Undefined for anything that is not an IP.
 */
export function sourceKeyOf(ip: string, ipv6Prefix: number): string | undefined {
  const addr = parseIp(ip);
  if (!addr) return undefined;
  const text = addr.toString();
  if (addr.kind() === "ipv4" || ipv6Prefix >= 128) return text;
  return ipToRange(text, ipv6Prefix);
}

/**
 * The name of the tracker of a scenario grouped by something other than the source IP
 * (`groupby: evt.Meta.target_user`, a path, an AS): one per scenario and group key, so
 * every address's events for that key meet in one bucket. No IP key starts with `group:`.
 */
export function groupSourceOf(scenario: string, key: string): string {
  return `group:${scenario}\u0000${key}`;
}
