/** expr-lang's operator table (parser/operator), which fixes precedence and associativity. */

export const BINARY: Record<string, { prec: number; right?: boolean }> = {
  "|": { prec: 0 },
  or: { prec: 10 },
  "||": { prec: 10 },
  and: { prec: 15 },
  "&&": { prec: 15 },
  "==": { prec: 20 },
  "!=": { prec: 20 },
  "<": { prec: 20 },
  ">": { prec: 20 },
  "<=": { prec: 20 },
  ">=": { prec: 20 },
  in: { prec: 20 },
  matches: { prec: 20 },
  contains: { prec: 20 },
  startsWith: { prec: 20 },
  endsWith: { prec: 20 },
  "..": { prec: 25 },
  "+": { prec: 30 },
  "-": { prec: 30 },
  "*": { prec: 60 },
  "/": { prec: 60 },
  "%": { prec: 60 },
  "**": { prec: 100, right: true },
  "^": { prec: 100, right: true },
  "??": { prec: 500 },
};
export const UNARY: Record<string, number> = { not: 50, "!": 50, "-": 90, "+": 90 };
export const NEGATABLE = new Set(["in", "matches", "contains", "startsWith", "endsWith"]);

/** Builtins whose second argument is a predicate (`{...}` or a bare expression using `#`). */
export const PREDICATE_BUILTINS = new Set([
  "all",
  "any",
  "none",
  "one",
  "filter",
  "map",
  "count",
  "sum",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "reduce",
]);
