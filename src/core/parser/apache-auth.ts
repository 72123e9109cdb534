/**
 * The apache2 `auth_basic` sub-node's grok, by index arithmetic:
 *   user %{NOT_DOUBLE_POINT:username}: authentication failure for "%{NOT_DOUBLE_QUOTE:target_uri}": Password Mismatch
 *   | user %{NOT_DOUBLE_POINT:username} not found: "?%{NOT_DOUBLE_QUOTE:target_uri}"?
 * As a backtracking regex it is quadratic on a message full of `user ` with no colon (the
 * username comes from the attacker's Authorization header); here every `[^:]+` run ends
 * at the next colon, found once for all starts. grokky reports the last group of a
 * duplicated name, so a match of the first form yields an empty username and target_uri,
 * exactly as CrowdSec does.
 */

export interface AuthFailure {
  username: string;
  target_uri: string;
}

const MISMATCH = ': authentication failure for "';
const MISMATCH_END = '": Password Mismatch';
const NOT_FOUND = " not found";

/** The quote ending a `[^"]+` run that starts at `from` (the end of the text if none). */
function runEnd(msg: string, from: number): number {
  const q = msg.indexOf('"', from);
  return q < 0 ? msg.length : q;
}

/** The first form, the username ending at `colon`: does it match? */
function mismatchAt(msg: string, colon: number): boolean {
  if (!msg.startsWith(MISMATCH, colon)) return false;
  const uriStart = colon + MISMATCH.length;
  const end = runEnd(msg, uriStart);
  return end > uriStart && msg.startsWith(MISMATCH_END, end);
}

/** The second form for a username from `start` to `colon`: the fields, or undefined. */
function notFoundAt(msg: string, start: number, colon: number): AuthFailure | undefined {
  const nameEnd = colon - NOT_FOUND.length;
  if (nameEnd <= start || !msg.startsWith(NOT_FOUND, nameEnd) || msg[colon + 1] !== " ") {
    return undefined;
  }
  let uriStart = colon + 2;
  if (msg[uriStart] === '"') uriStart++;
  if (uriStart >= msg.length || msg[uriStart] === '"') return undefined;
  return {
    username: msg.slice(start, nameEnd),
    target_uri: msg.slice(uriStart, runEnd(msg, uriStart)),
  };
}

/** The leftmost match in `msg`, or null. */
export function apacheAuthFailure(msg: string): AuthFailure | null {
  // A username runs to the first colon after `user `; starts sharing a colon share the
  // outcome (a later start only shortens the name), so each colon is tried once.
  let tried = -1;
  let colon = -1;
  for (let s = msg.indexOf("user "); s >= 0; s = msg.indexOf("user ", s + 1)) {
    const start = s + 5;
    if (colon < start) colon = msg.indexOf(":", start);
    if (colon < 0) return null;
    if (colon === tried || colon === start) continue;
    tried = colon;
    if (mismatchAt(msg, colon)) return { username: "", target_uri: "" };
    const found = notFoundAt(msg, start, colon);
    if (found) return found;
  }
  return null;
}
