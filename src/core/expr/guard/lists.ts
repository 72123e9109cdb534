import type { Node, NodeOf } from "../ast";
import { goLower, goUpper } from "../gostrings";
import { regexFile } from "../helpers-data";
import { refsPointer } from "../iteration";
import { type GuardBuilder, patternClause } from "./atoms";
import type { GuardAtom, GuardClause } from "./types";

/**
 * Guards of the hub's list tests: `any(File("x.txt"), {X contains Upper(#)})` (and ==,
 * startsWith, endsWith, matches) holds only if X relates to some entry, so the clause is
 * one atom per entry; `RegexpInFile(X, "x.txt")` likewise with each regex's literal.
 */

const ELEMENT_MAPS: Readonly<Record<string, (s: string) => string>> = {
  Upper: goUpper,
  Lower: goLower,
  upper: goUpper,
  lower: goLower,
};

const LIST_OPS = new Set(["==", "contains", "startsWith", "endsWith", "matches"]);

/** How the predicate sees an entry: `#` (identity) or `Upper(#)`…; undefined otherwise. */
function elementMap(n: Node, g: GuardBuilder): ((s: string) => string) | undefined {
  if (n.kind === "pointer" && n.name === "") return (s) => s;
  if (n.kind !== "call" || n.args.length !== 1 || Object.hasOwn(g.ctx.functions, n.name)) {
    return undefined;
  }
  const arg = n.args[0] as Node;
  return arg.kind === "pointer" && arg.name === "" ? ELEMENT_MAPS[n.name] : undefined;
}

interface ListTest {
  op: string;
  /** The side without `#`. */
  x: Node;
  map: (s: string) => string;
}

function listTest(body: Node, g: GuardBuilder): ListTest | null {
  if (body.kind !== "binary" || !LIST_OPS.has(body.op)) return null;
  const right = elementMap(body.right, g);
  if (right && !refsPointer(body.left)) return { op: body.op, x: body.left, map: right };
  // `# == X` is symmetric; `# contains X` tests the entry, not X.
  const left = body.op === "==" ? elementMap(body.left, g) : undefined;
  if (left && !refsPointer(body.right)) return { op: body.op, x: body.right, map: left };
  return null;
}

function entryAtoms(t: ListTest, entry: string, g: GuardBuilder): GuardAtom[] | null {
  const v = t.map(entry);
  if (t.op === "matches") return patternClause(t.x, v, g);
  const atom = t.op === "==" ? g.eqAtom(t.x, v) : g.textAtom(t.x, v, false);
  return atom ? [atom] : null;
}

/** `any(list, {X op #})`: X relates to one of the entries (none for an empty list). */
export function anyClause(node: NodeOf<"call">, g: GuardBuilder): GuardClause | null {
  const [src, pred] = node.args;
  if (node.args.length !== 2 || !src || pred?.kind !== "closure") return null;
  const test = listTest(pred.body, g);
  const list = test ? g.list(src) : null;
  if (!test || !list) return null;
  const out: GuardAtom[] = [];
  for (const entry of list) {
    const atoms = typeof entry === "string" ? entryAtoms(test, entry, g) : null;
    if (!atoms) return null;
    out.push(...atoms);
  }
  return out;
}

/** `RegexpInFile(X, "file")`: X matches one of the file's valid regexes. */
export function regexpInFileClause(node: NodeOf<"call">, g: GuardBuilder): GuardClause | null {
  const [x, file] = node.args;
  if (node.args.length !== 2 || !x || file?.kind !== "literal" || typeof file.value !== "string") {
    return null;
  }
  if (Object.hasOwn(g.ctx.functions, "RegexpInFile")) return null;
  const rf = regexFile(g.ctx.data, file.value);
  // Without a valid line the helper is false for every input.
  if (!rf.any) return [];
  const out: GuardAtom[] = [];
  for (const pattern of rf.valid) {
    const atoms = patternClause(x, pattern, g);
    if (!atoms) return null;
    out.push(...atoms);
  }
  return out;
}
