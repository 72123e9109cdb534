/** "Did you mean" for misspelt names: fields, flags, commands, types. */

/** Levenshtein distance between two short words. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The known name closest to `word` (case-insensitive), when it is close enough to be a
 * likely misspelling: at most `maxDistance` edits (default 2, or a quarter of the word
 * for long ones).
 */
export function closest(
  word: string,
  known: Iterable<string>,
  maxDistance = Math.max(2, Math.floor(word.length / 4)),
): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  const w = word.toLowerCase();
  for (const k of known) {
    const d = editDistance(w, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}
