/**
 * "Every reading of the line": where text the client controls can repeat a daemon's own
 * wording around the address, a parser lists each position of the marker that precedes
 * the address, keeps those at which the rest of the line has the daemon's shape, and
 * takes the address only when all of them agree. Bounded: after `limit` readings the
 * line counts as ambiguous.
 */
export function agreedReading<T>(
  text: string,
  marker: string,
  readAt: (at: number) => T | undefined,
  addressOf: (r: T) => string,
  limit = 8,
): T | "ambiguous" | undefined {
  let first: T | undefined;
  let seen = 0;
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) {
    const r = readAt(at);
    if (r === undefined) continue;
    if (first !== undefined && addressOf(r) !== addressOf(first)) return "ambiguous";
    first ??= r;
    if (++seen >= limit) return "ambiguous";
  }
  return first;
}
