import type { Node, NodeOf } from "../ast";
import { type Ctx, ROOT_SCOPE } from "../compile-context";
import { type GuardBuilder, guardBuilder } from "./atoms";
import { anyClause, regexpInFileClause } from "./lists";
import type { ExprGuard, GuardClause } from "./types";

/**
 * Guards: a necessary condition for an expression to yield true, derived from its syntax
 * so that an engine can skip most scenarios for an event without running their filters.
 * A guard is a conjunction of clauses; a clause holds when one of its atoms holds; an atom
 * is "this subject equals this value" or "this subject contains this literal, ignoring
 * ASCII case". Subjects are pure expressions of the event (subject.ts), shared by every
 * guard and filter, so an engine computes each one once per event.
 *
 * Every rule only weakens: `A && B` keeps the clauses of both, `A || B` pairs clauses of
 * each side, and anything not understood contributes no clause. When the guard does not
 * hold the expression cannot yield true; it may still fail (an evaluation error), which a
 * skipped filter then does not report.
 */

/** Clauses kept from `A || B`, which pairs every clause of A with every clause of B. */
const MAX_OR_CLAUSES = 16;

/** The guard of a compiled expression's syntax tree; undefined when it has no clause. */
export function deriveGuard(ast: Node, ctx: Ctx): ExprGuard | undefined {
  const clauses = clausesOf(ast, guardBuilder(ctx, ROOT_SCOPE));
  return clauses && clauses.length > 0 ? { clauses } : undefined;
}

/** Necessary clauses of `node` being true, or null when nothing is known. */
function clausesOf(node: Node, g: GuardBuilder): GuardClause[] | null {
  if (node.kind === "binary") return binaryClauses(node, g);
  if (node.kind === "call" && node.name === "any") return single(anyClause(node, g));
  if (node.kind === "call" && node.name === "RegexpInFile") {
    return single(regexpInFileClause(node, g));
  }
  return null;
}

function single(clause: GuardClause | null): GuardClause[] | null {
  return clause ? [clause] : null;
}

function binaryClauses(node: NodeOf<"binary">, g: GuardBuilder): GuardClause[] | null {
  switch (node.op) {
    case "&&":
    case "and": {
      const l = clausesOf(node.left, g);
      const r = clausesOf(node.right, g);
      if (!l || !r) return l ?? r;
      return [...l, ...r];
    }
    case "||":
    case "or":
      return orClauses(clausesOf(node.left, g), clausesOf(node.right, g));
    default:
      return single(g.comparison(node));
  }
}

/** (a1 ∧ a2) ∨ (b1 ∧ b2) implies (a1 ∨ b1) ∧ (a1 ∨ b2) ∧ …: any subset of the pairs is safe. */
function orClauses(l: GuardClause[] | null, r: GuardClause[] | null): GuardClause[] | null {
  if (!l || !r || l.length === 0 || r.length === 0) return null;
  const out: GuardClause[] = [];
  for (const a of l) {
    for (const b of r) {
      if (out.length < MAX_OR_CLAUSES) out.push([...a, ...b]);
    }
  }
  return out;
}
