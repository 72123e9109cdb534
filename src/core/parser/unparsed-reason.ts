import { isIpToken } from "./program-ip";

/**
 * Why a line Palisade recognised as an attack yields no event. Reported per line by
 * `palisade parse` and counted by `palisade replay` and ingest, so an operator sees
 * what was recognised but could not be attributed.
 */
export const UNPARSED_REASONS = {
  hostname:
    "the daemon logged a host name where the client's address goes (UseDNS / HostnameLookups); names are not addresses",
  "no-address":
    "the daemon logged no address and no earlier line of the same process (session) gave one",
  ambiguous:
    "text the client controls repeats the daemon's own wording, so the line has more than one reading of the client's address",
} as const;

export type UnparsedReason = keyof typeof UNPARSED_REASONS;

const HOSTNAME =
  /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)*\.?$/;

/**
 * What a token in a daemon's address position is: an address, a host name, or neither
 * (then the line is not the form it looked like).
 */
export function hostKind(token: string): "ip" | "hostname" | undefined {
  if (isIpToken(token)) return "ip";
  return token.length <= 253 && HOSTNAME.test(token) ? "hostname" : undefined;
}

/** An s01 stage's answer for a line it recognised but makes no event of. */
export interface Refused {
  readonly refused: UnparsedReason;
}

export function refuse(reason: UnparsedReason): Refused {
  return { refused: reason };
}

export function isRefused(v: unknown): v is Refused {
  return typeof v === "object" && v !== null && "refused" in v;
}
