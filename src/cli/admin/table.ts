/**
 * Human output: aligned columns under upper-case headers and a rule, like cscli's tables
 * but plain enough to survive `| less`, `grep` and a narrow terminal.
 */

export type Cell = string | number | boolean | null | undefined;

export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...text.map((r) => (r[i] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [
    line(headers.map((h) => h.toUpperCase())),
    line(widths.map((w) => "─".repeat(w))),
    ...text.map(line),
  ].join("\n");
}

function cellText(c: Cell): string {
  if (c === null || c === undefined || c === "") return "-";
  if (typeof c === "boolean") return c ? "yes" : "no";
  return String(c).replace(/\s+/g, " ");
}

/** `2026-03-10T14:00:00.123Z` → `2026-03-10 14:00:00Z`; null → `-`. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "-";
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** `key: value` lines with the keys aligned (alerts inspect). */
export function fields(pairs: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${cellText(v)}`).join("\n");
}
