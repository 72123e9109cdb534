import type { LogParser, ParseOptions } from "../core/parser/index";
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
        const evt = cmd.parser.parse(line, origin, cmd.options);
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
    `palisade parse: ${n} lines, ${ok} parsed, ${n - ok} unparsed (type ${cmd.parser.type}) in ${secs.toFixed(2)} s, ${Math.round(n / Math.max(secs, 1e-9))} lines/s\n`,
  );
  const warning = rate.warning(cmd.options);
  if (warning !== undefined) process.stderr.write(`${warning}\n`);
}

function isoTime(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
