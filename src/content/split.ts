import { parseAllDocuments } from "yaml";

/** One scenario document of a file: its `name:` and its own YAML text. */
export interface ScenarioDoc {
  name: string;
  text: string;
  file: string;
}

/**
 * The scenario documents of a file that lints clean, each as its own text (a CrowdSec
 * file may hold several, `ssh-bf.yaml` does), so each is stored, listed, hashed and
 * removed by its name. Empty documents (a stray `---`) are skipped.
 */
export function scenarioDocs(file: string, text: string): ScenarioDoc[] {
  const out: ScenarioDoc[] = [];
  for (const doc of parseAllDocuments(text)) {
    const value: unknown = doc.toJS();
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    const name = (value as Record<string, unknown>).name;
    if (typeof name !== "string") continue;
    const [start, , end] = doc.range;
    const own = text
      .slice(start, end)
      .replace(/^---[^\n]*\n/, "")
      .trim();
    out.push({ name, text: `${own}\n`, file });
  }
  return out;
}
