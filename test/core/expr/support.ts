import { expect } from "vitest";
import { dataStoreFrom } from "../../../src/core/data";
import {
  type CompiledExpr,
  compileExpr,
  ExprEvalError,
  type ExprOptions,
} from "../../../src/core/expr";

/** A Palisade event as the parsers build it, with CrowdSec field names. */
export function httpEvent(meta: Record<string, string> = {}, parsed: Record<string, string> = {}) {
  return {
    Line: { Raw: "raw line", Src: "-", Labels: { type: "nginx" }, Module: "file" },
    Parsed: { verb: "GET", request: "/index.php", ...parsed } as Record<string, string>,
    Meta: {
      log_type: "http_access-log",
      service: "http",
      http_status: "404",
      http_path: "/wp-login.php",
      source_ip: "192.0.2.7",
      ...meta,
    } as Record<string, string>,
    Enriched: {} as Record<string, string>,
    Unmarshaled: {} as Record<string, unknown>,
    Time: Date.UTC(2024, 0, 6, 21, 30, 5),
    Whitelisted: false,
  };
}

export function compiled(src: string, opts: ExprOptions = {}): CompiledExpr {
  const r = compileExpr(src, opts);
  if (!r.ok)
    throw new Error(
      `expected ${JSON.stringify(src)} to compile: ${r.errors.map((e) => e.message).join("; ")}`,
    );
  return r.value;
}

/** Compiles and runs `src` against `env`. */
export function ev(
  src: string,
  env: Record<string, unknown> = {},
  opts: ExprOptions = {},
): unknown {
  return compiled(src, opts).run(env);
}

/** The single compile error's code and message. */
export function compileError(
  src: string,
  opts: ExprOptions = {},
): { code: string; message: string; path: string } {
  const r = compileExpr(src, opts);
  expect(r.ok, `expected ${JSON.stringify(src)} not to compile`).toBe(false);
  if (r.ok) throw new Error("unreachable");
  const e = r.errors[0];
  if (!e) throw new Error("no diagnostic");
  return { code: e.code, message: e.message, path: e.path };
}

export const hubData = dataStoreFrom({
  "backdoors.txt": "# comment line\nc99.php\nr57.php\nshell.php\n",
  "sensitive.txt": ".env\n.git/config\nid_rsa\n",
  "ua.regex": "# bots\n\\bsqlmap\\b\n(?i)nikto\n^curl/\n",
  "tech.json": [
    '{"pattern":"/wp-admin/install.php","tag":"wordpress-exact","type":"equals"}',
    '{"pattern":"/wp-","tag":"wordpress","type":"contains"}',
    '{"pattern":"phpmyadmin","tag":"phpmyadmin","type":"contains"}',
    '{"pattern":"^/jenkins/.*\\\\.jsp$","tag":"jenkins","type":"regex"}',
    "not json",
  ].join("\n"),
  "cves.json":
    '{"uri":"/cgi-bin/luci","cve":"CVE-2023-1"}\n{"uri":"/remote/login","cve":"CVE-2023-2"}\n',
  "ranges.txt": "10.0.0.0/8\n2001:db8::/32\n",
});

/**
 * CrowdSec's rule for filters, conditions, cancel_on and whitelists: true only when the
 * expression yields the boolean true. A non-boolean result is false; an evaluation error
 * is false too and is passed to `onError` so callers can count it.
 */
export function evalBool(
  expr: CompiledExpr,
  env: Record<string, unknown>,
  onError?: (e: ExprEvalError) => void,
): boolean {
  try {
    return expr.run(env) === true;
  } catch (e) {
    if (!(e instanceof ExprEvalError)) throw e;
    onError?.(e);
    return false;
  }
}

/**
 * For groupby, distinct and scope expressions, which must yield a string: the string, or
 * undefined when evaluation fails or yields another type (reported to `onError`).
 */
export function evalString(
  expr: CompiledExpr,
  env: Record<string, unknown>,
  onError?: (e: ExprEvalError) => void,
): string | undefined {
  try {
    const v = expr.run(env);
    if (typeof v === "string") return v;
    onError?.(
      new ExprEvalError(
        "expr.eval",
        `expected a string result, got ${typeof v === "number" && Number.isInteger(v) ? "int" : typeof v}`,
      ),
    );
    return undefined;
  } catch (e) {
    if (!(e instanceof ExprEvalError)) throw e;
    onError?.(e);
    return undefined;
  }
}
