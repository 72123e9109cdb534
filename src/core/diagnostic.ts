/**
 * User input (scenario files, profiles, custom parsers, expressions) yields collected
 * diagnostics rather than exceptions, so a linter can report every problem at once.
 * Bugs still throw.
 */

export interface Diagnostic {
  /** Stable machine-readable code, e.g. `scenario.capacity.invalid`, `expr.syntax`. */
  code: string;
  /** Where: `file.yaml#2:filter` style path (file, document index, field). */
  path: string;
  /** What happened, why, and how to fix it, in one or two sentences. */
  message: string;
  severity: "error" | "warning";
}

/** Records a problem with one field of the document being checked (its path is the caller's). */
export type FieldReport = (
  field: string,
  code: string,
  message: string,
  severity?: "error" | "warning",
) => void;

export type Result<T> =
  | { ok: true; value: T; warnings: Diagnostic[] }
  | { ok: false; errors: Diagnostic[] };

export function error(code: string, path: string, message: string): Diagnostic {
  return { code, path, message, severity: "error" };
}

export function warning(code: string, path: string, message: string): Diagnostic {
  return { code, path, message, severity: "warning" };
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.severity}: ${d.path}: ${d.message} [${d.code}]`;
}
