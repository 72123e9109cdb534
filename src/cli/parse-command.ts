import { type LogParser, type ParseOptions, ParseState } from "../core/parser/index";
import { describeSource, readLineBatches } from "./lines";
import { LineWriter } from "./output";
import { ParseRate } from "./parse-rate";
import { progressBar } from "./progress";

export interface ParseCommand {
  parser: LogParser;
  files: string[];
  options: ParseOptions;
}

/**
 * `palisade parse`: one JSON object per input line on stdout (the contract in
 * DESIGN.md), a summary on stderr.
 */
export async function runParse(cmd: ParseCommand): Promise<void> {
  const out = new LineWriter();
  const rate = new ParseRate(cmd.parser);
  const started = performance.now();
  // One memory for the whole run: a session can continue from a file into the next.
  const state = new ParseState();
  const reasons = new Map<string, number>();
  for (const file of cmd.files) {
    const src = await describeSource(file);
    const progress = progressBar(src.size);
    const origin = {
      src: file,
      module: file === "-" ? "stdin" : "file",
      labels: { type: cmd.parser.type },
    };
    for await (const batch of readLineBatches(file, (b) => progress.add(b))) {
      for (const line of batch) {
        const evt = cmd.parser.parse(line, origin, cmd.options, state);
        rate.count(line, evt !== null);
        const n = rate.total;
        if (evt) {
          await out.line(
            JSON.stringify({
              line: n,
              ok: true,
              time: isoTime(evt.Time),
              meta: evt.Meta,
              parsed: evt.Parsed,
            }),
          );
        } else if (state.reason !== undefined) {
          reasons.set(state.reason, (reasons.get(state.reason) ?? 0) + 1);
          await out.line(`{"line":${n},"ok":false,"reason":${JSON.stringify(state.reason)}}`);
        } else {
          await out.line(`{"line":${n},"ok":false}`);
        }
      }
    }
    progress.done();
  }
  await out.flush();
  const secs = (performance.now() - started) / 1000;
  const { total: n, parsed: ok } = rate;
  process.stderr.write(
    `palisade parse: ${n} lines, ${ok} parsed, ${n - ok} unparsed${reasonsText(reasons)} (type ${cmd.parser.type}) in ${secs.toFixed(2)} s, ${Math.round(n / Math.max(secs, 1e-9))} lines/s\n`,
  );
  const warning = rate.warning(cmd.options);
  if (warning !== undefined) process.stderr.write(`${warning}\n`);
}

/** ` (2 hostname, 1 no-address)`: unparsed lines that were recognised, by reason. */
function reasonsText(reasons: Map<string, number>): string {
  if (reasons.size === 0) return "";
  return ` (${[...reasons].map(([why, k]) => `${k} ${why}`).join(", ")})`;
}

function isoTime(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
