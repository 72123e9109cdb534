import { type DataStore, emptyDataStore } from "../data";
import type { FieldReport } from "../diagnostic";
import type { RawScenario } from "./schema";

/** Data files by dest_file, falling back to the file name in source_url (the hub's download name). */
export function resolveData(
  raw: RawScenario,
  base: DataStore | undefined,
  report: FieldReport,
): DataStore {
  const store = base ?? emptyDataStore;
  const alias = new Map<string, string>();
  (raw.data ?? []).forEach((d, i) => {
    if (store.lines(d.dest_file) !== undefined) return;
    const fallback = d.source_url?.split("/").pop();
    if (fallback && store.lines(fallback) !== undefined) {
      alias.set(d.dest_file, fallback);
      return;
    }
    const from = d.source_url ? ` (CrowdSec downloads it from ${d.source_url})` : "";
    report(
      `data[${i}].dest_file`,
      "scenario.data.missing",
      `data file ${JSON.stringify(d.dest_file)} was not found${from}; pass the folder that holds it with --data DIR`,
    );
  });
  if (alias.size === 0) return store;
  return { lines: (name) => store.lines(alias.get(name) ?? name) };
}
