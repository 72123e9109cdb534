/**
 * Data files named under a scenario's `data:` (word lists, regex lists). Core never
 * reads files: the CLI reads them from `--data DIR`, the Worker from the bundled hub.
 */
export interface DataStore {
  /** The file's lines (trailing CR stripped, empty lines dropped), or undefined if absent. */
  lines(name: string): readonly string[] | undefined;
}

export function dataStoreFrom(files: Record<string, string>): DataStore {
  const cache = new Map<string, readonly string[]>();
  return {
    lines(name) {
      const hit = cache.get(name);
      if (hit) return hit;
      const text = files[name];
      if (text === undefined) return undefined;
      const lines = text
        .split("\n")
        .map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l))
        .filter((l) => l !== "");
      cache.set(name, lines);
      return lines;
    },
  };
}

export const emptyDataStore: DataStore = { lines: () => undefined };
