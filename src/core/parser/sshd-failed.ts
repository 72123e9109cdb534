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
 * line or by `: ` is a possible reading; when two readings give different hosts the line
 * is ambiguous and yields no source (the client spelled sshd's own wording), where a
 * regex would pick whichever one its greediness prefers.
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
const READING = / from ([0-9A-Za-z.:%_-]+?)(?: port (\d{1,5}))?(?: (ssh\d*))?(?=: |$)/sy;
const INVALID = "invalid user ";
const SOLARIS_INVALID = "<invalid username>";

interface Reading {
  at: number;
  host: string;
  port?: string;
  protocol?: string;
}

function readingAt(text: string, at: number): Reading | undefined {
  READING.lastIndex = at;
  const m = READING.exec(text);
  if (!m) return undefined;
  const r: Reading = { at, host: m[1] as string };
  if (m[2] !== undefined) r.port = m[2];
  if (m[3] !== undefined) r.protocol = m[3];
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
  const found = readings(text, rest - 1, 16);
  if (found.length === 0) return undefined;
  const first = found[0] as Reading;
  if (found.some((r) => r.host !== first.host)) return "ambiguous";
  // The same host every time: the user is everything before the last reading, as the
  // hub's end-anchored reading of a password failure has it.
  const last = found[found.length - 1] as Reading;
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
