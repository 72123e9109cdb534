import { readdirSync, readFileSync } from "node:fs";

/**
 * The annotated sample logs (test/fixtures/parser/annotated/*.log): one per daemon, each
 * failure line preceded by `# expect: form=<name> source=<ip> time=<ISO> [type=<t>|-]
 * [sub=<s>]`, or `# expect: form=<name> none=<reason>|-` for a line that must be no event
 * (with that unparsed reason). The first line says how to read the file:
 * `# palisade: type=<type> [year=<n>]`. bench/recognition.mjs reads the same format.
 */

export interface Expectation {
  form: string;
  source?: string;
  time?: string;
  type?: string;
  sub?: string;
  /** "-" for no event and no reason, else the unparsed reason. */
  none?: string;
}

export interface AnnotatedLine {
  /** 1-based line number in the file (comments included), for messages. */
  at: number;
  line: string;
  expect?: Expectation;
}

export interface AnnotatedLog {
  name: string;
  type: string;
  year?: number;
  lines: AnnotatedLine[];
}

const DIR = new URL("../../fixtures/parser/annotated/", import.meta.url);

function fields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)=(\S+)/g)) out[m[1] as string] = m[2] as string;
  return out;
}

export function readAnnotated(name: string): AnnotatedLog {
  const raw = readFileSync(new URL(name, DIR), "utf8").split("\n");
  const head = fields((raw[0] ?? "").replace(/^# palisade:/, ""));
  if (!raw[0]?.startsWith("# palisade:") || !head.type) {
    throw new Error(`${name}: first line must be "# palisade: type=<type> [year=<n>]"`);
  }
  const log: AnnotatedLog = { name, type: head.type, lines: [] };
  if (head.year) log.year = Number(head.year);
  let pending: Expectation | undefined;
  raw.forEach((line, i) => {
    if (line.startsWith("# expect:")) {
      const f = fields(line.slice(9));
      if (!f.form) throw new Error(`${name}:${i + 1}: an expectation needs form=`);
      pending = { form: f.form, ...f };
      return;
    }
    if (line.startsWith("#") || line.trim() === "") return;
    const entry: AnnotatedLine = { at: i + 1, line };
    if (pending) entry.expect = pending;
    pending = undefined;
    log.lines.push(entry);
  });
  return log;
}

export function annotatedLogs(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".log"))
    .sort();
}
