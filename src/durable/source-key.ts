import { ipToRange, parseIp } from "../core/ip";
import { intVar } from "./vars";

export const DEFAULT_IPV6_PREFIX = 64;

/**
 * The name of the SourceTracker an IP belongs to: the IPv4 address (IPv4-mapped IPv6
 * included), or the IPv6 network of `ipv6Prefix` bits, since whoever holds one address
 * of a /64 holds all of it. Buckets inside stay keyed by their scenario's groupby (the
 * exact address); the decision history, hence escalation, is shared by the prefix, as
 * the built-in profiles decide on it. Undefined for anything that is not an IP.
 */
export function sourceKeyOf(ip: string, ipv6Prefix = DEFAULT_IPV6_PREFIX): string | undefined {
  const addr = parseIp(ip);
  if (!addr) return undefined;
  const text = addr.toString();
  if (addr.kind() === "ipv4" || ipv6Prefix >= 128) return text;
  return ipToRange(text, ipv6Prefix);
}

/** IPV6_PREFIX (a var, so a string): 1–128, else the default. */
export function ipv6PrefixFrom(value: string | undefined): number {
  return intVar("IPV6_PREFIX", value, DEFAULT_IPV6_PREFIX, 1, 128);
}
