import type { LogParser, ParseOptions } from "../core/parser/index";
import { parserFor, parserTypes } from "../core/parser/index";

/**
 * A parse rate near 0 % almost always means the wrong `--type` (an Apache log read as
 * nginx works, an auth.log read as nginx does not). `parse` and `replay` keep a few
 * unparsed lines, and at the end try them with the other built-in parsers to say which
 * type would have read them.
 */

/** Below this share of parsed lines, the type is suspect. */
const NEAR_ZERO = 0.05;
/** Fewer lines than this say nothing about the type. */
const MIN_LINES = 5;
const SAMPLE = 50;

export class ParseRate {
  private readonly sample: string[] = [];
  total = 0;
  parsed = 0;

  constructor(private readonly parser: LogParser) {}

  count(line: string, ok: boolean): void {
    this.total++;
    if (ok) this.parsed++;
    else if (this.sample.length < SAMPLE) this.sample.push(line);
  }

  /** The warning to print, or undefined when the rate is plausible. */
  warning(options: ParseOptions): string | undefined {
    if (this.total < MIN_LINES || this.parsed / this.total >= NEAR_ZERO) return undefined;
    const pct = ((100 * this.parsed) / this.total).toFixed(1);
    const head = `warning: only ${this.parsed} of ${this.total} lines (${pct} %) parsed as ${this.parser.type}: --type ${this.parser.type} may be wrong`;
    const best = this.bestOther(options);
    if (best === undefined)
      return `${head}; none of the built-in types (${parserTypes().join(", ")}) reads them either: a custom format needs --parser FILE`;
    return `${head}; ${best.count} of ${this.sample.length} unparsed lines sampled parse as ${best.type}: try --type ${best.type}`;
  }

  private bestOther(options: ParseOptions): { type: string; count: number } | undefined {
    let best: { type: string; count: number } | undefined;
    for (const type of parserTypes()) {
      const p = parserFor(type);
      if (p === undefined || type === this.parser.type) continue;
      const origin = { src: "-", module: "file", labels: { type } };
      const count = this.sample.filter((l) => p.parse(l, origin, options) !== null).length;
      if (count > 0 && (best === undefined || count > best.count)) best = { type, count };
    }
    return best;
  }
}
