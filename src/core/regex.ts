import { RE2JS } from "re2js";
import { error, type Result } from "./diagnostic";

/**
 * Regular expressions from scenario, parser and data files, written in Go's RE2 syntax
 * and run on attacker-controlled strings. RE2 matching is linear in the input, so no
 * pattern can backtrack catastrophically.
 */
export interface SafeRegex {
  readonly source: string;
  /** True when the pattern matches anywhere in `s` (Go's `MatchString`). */
  test(s: string): boolean;
  /** Named capture groups of the first match, or null when there is none. */
  match(s: string): Record<string, string> | null;
}

export interface RegexOptions {
  path?: string;
}

export function compileRegex(pattern: string, opts: RegexOptions = {}): Result<SafeRegex> {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      errors: [
        error(
          "regex.syntax",
          opts.path ?? "",
          `invalid regular expression ${JSON.stringify(pattern)}: ${why}. Patterns use RE2 syntax (no backreferences or lookaround).`,
        ),
      ],
    };
  }
  const value: SafeRegex = {
    source: pattern,
    test: (s) => re.test(s),
    match: (s) => {
      const m = re.exec(s) as (string[] & { groups?: Record<string, string | undefined> }) | null;
      if (!m) return null;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) out[k] = v ?? "";
      return out;
    },
  };
  return { ok: true, value, warnings: [] };
}
