import { IP } from "./program-ip";
import { hostKind } from "./unparsed-reason";

/**
 * sshd's `Failed <method> for [invalid user ]<user> from <host> port <n> ssh2[: <info>]`
 * (auth.c: `"%s %s%s%s for %s%.100s from %.200s port %d ssh2%s%s"`), read by its
 * structure rather than by one regex, because text the client controls sits on both
 * sides of the address: the user name of an invalid user (any text, spaces included) on
 * the left, and on the right the auth info of some methods (a hostbased client's user
 * and host names, a certificate's key ID).
 *
 * A valid user is an account name (no spaces), so the address follows it directly. For
 * an invalid user, every ` from <host>[ port <n>][ ssh<v>]` followed by the end of the
 * line or by `: <info>` is a possible reading. sshd writes auth info only for publickey
 * (`<type> SHA256:<fp>`, or a certificate's `<type> ID <key id> (serial <n>) CA <type>
 * <fp>`) and hostbased (`…, client user "…", client host "…"`) attempts, so for every
 * other method the reading is the one that ends the line, and for those two the one
 * whose info has that shape. When the client's text still leaves two readings of
 * different hosts (a certificate whose key ID spells sshd's wording), the line is
 * ambiguous and yields no source, where a regex would pick whichever one its greediness
 * prefers.
 */

export interface FailedLine {
  method: string;
  /** "" for `<invalid username>` or an empty invalid user name. */
  user: string;
  invalid: boolean;
  host: string;
  hostKind: "ip" | "hostname";
  port?: string;
  protocol?: string;
}

const HEAD = /^Failed (\S+) for /;
// The host is an address (IP stops before any address character, so an IPv6 address is
// never cut at one of its colons) or a name sshd resolved.
const READING = new RegExp(
  ` from (${IP}|[0-9A-Za-z][0-9A-Za-z._-]*)(?: port (\\d{1,5}))?(?: (ssh\\d*))?(?=: |$)`,
  "ys",
);
const INVALID = "invalid user ";
const SOLARIS_INVALID = "<invalid username>";

interface Reading {
  at: number;
  host: string;
  port?: string;
  protocol?: string;
  /** The text after `: `, or undefined when the reading ends the line. */
  info?: string;
}

/** The auth info sshd writes for each method that has any. */
const INFO: Readonly<Record<string, RegExp>> = {
  publickey:
    /^(?:\S+ (?:SHA256|MD5):\S+|\S+ [0-9a-f]{2}(?::[0-9a-f]{2}){15}|\S+ ID .* \(serial \d+\) CA \S+ \S+)$/s,
  hostbased: /^\S+ \S+, client user ".*", client host ".*"$/s,
};

function readingAt(text: string, at: number): Reading | undefined {
  READING.lastIndex = at;
  const m = READING.exec(text);
  if (!m) return undefined;
  const r: Reading = { at, host: m[1] as string };
  if (m[2] !== undefined) r.port = m[2];
  if (m[3] !== undefined) r.protocol = m[3];
  const end = READING.lastIndex;
  if (end < text.length) r.info = text.slice(end + 2);
  return r;
}

/** Every reading of ` from <host>…` at or after `from` (at most `limit`). */
function readings(text: string, from: number, limit: number): Reading[] {
  const out: Reading[] = [];
  for (let at = text.indexOf(" from ", from); at >= 0; at = text.indexOf(" from ", at + 1)) {
    const r = readingAt(text, at);
    if (r && hostKind(r.host)) out.push(r);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * The line's reading, `"ambiguous"` when the client's text makes two, or undefined when
 * the message is not a `Failed …` line.
 */
export function readFailed(text: string): FailedLine | "ambiguous" | undefined {
  const head = HEAD.exec(text);
  if (!head) return undefined;
  const method = head[1] as string;
  let rest = head[0].length;
  if (text.startsWith(SOLARIS_INVALID, rest)) {
    const r = readingAt(text, rest + SOLARIS_INVALID.length);
    return r ? line(method, "", true, r) : undefined;
  }
  if (!text.startsWith(INVALID, rest)) {
    const sp = text.indexOf(" ", rest);
    if (sp <= rest) return undefined;
    const r = readingAt(text, sp);
    return r ? line(method, text.slice(rest, sp), false, r) : undefined;
  }
  rest += INVALID.length;
  // An empty user name puts the first " from " one character early.
  const all = readings(text, rest - 1, 16);
  const info = INFO[method];
  const found = all.filter((r) =>
    r.info === undefined ? info === undefined : info?.test(r.info) === true,
  );
  const pick = found.length > 0 ? found : all;
  if (pick.length === 0) return undefined;
  const first = pick[0] as Reading;
  if (pick.some((r) => r.host !== first.host)) return "ambiguous";
  // The same host every time: the user is everything before the last reading, as the
  // hub's end-anchored reading of a password failure has it.
  const last = pick[pick.length - 1] as Reading;
  return line(method, text.slice(rest, Math.max(rest, last.at)), true, last);
}

function line(method: string, user: string, invalid: boolean, r: Reading): FailedLine | undefined {
  const kind = hostKind(r.host);
  if (!kind) return undefined;
  const out: FailedLine = { method, user, invalid, host: r.host, hostKind: kind };
  if (r.port !== undefined) out.port = r.port;
  if (r.protocol !== undefined) out.protocol = r.protocol;
  return out;
}
