/**
 * Problems found in user input (the config file, flags, environment). Collected, never
 * thrown, so an operator sees every mistake of a config in one run. Same shape as the
 * core's Diagnostic (src/core/diagnostic.ts), re-declared because the shipper bundle must
 * not import anything outside shipper/.
 */
export interface Diagnostic {
  /** Stable machine-readable code, e.g. `config.key.unknown`. */
  code: string;
  /** Where: `ship.yaml:12:5 sources[0].paths` style (file, line, column, field). */
  path: string;
  /** What is wrong, naming the bad value, the rule and the fix. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: Diagnostic[] };

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.path}: ${d.message} [${d.code}]`;
}
