import { parseIp } from "../ip";

/**
 * The IP address token in program messages. The regex only finds the token (dotted quad,
 * or hex and colons); `isIpToken` then decides whether it is a real address, so a
 * source_ip is always a valid IP. Unlike grok's IP pattern this refuses octets with
 * leading zeros, which no daemon writes.
 */
export const IP = String.raw`(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*)(?![0-9A-Za-z.:])`;

/** Named-group form of `IP`. */
export function ipGroup(name: string): string {
  return `(?<${name}>${IP})`;
}

function isOctet(s: string, from: number, to: number): boolean {
  const len = to - from;
  if (len < 1 || len > 3) return false;
  if (len > 1 && s.charCodeAt(from) === 48) return false;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    n = n * 10 + c;
  }
  return n <= 255;
}

function isIpv4(s: string): boolean {
  let from = 0;
  for (let part = 0; part < 4; part++) {
    const dot = part < 3 ? s.indexOf(".", from) : s.length;
    if (dot < 0 || !isOctet(s, from, dot)) return false;
    from = dot + 1;
  }
  return true;
}

const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/** True when a token found by `IP` is a valid IPv4 or IPv6 address. */
export function isIpToken(s: string): boolean {
  if (s.indexOf(":") < 0) return isIpv4(s);
  return IPV6_CHARS.test(s) && parseIp(s) !== undefined;
}
