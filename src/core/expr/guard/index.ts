// Guards: a necessary condition for an expression to yield true, derived from its syntax
// (derive.ts), so that an engine skips scenarios without running their filters.
export { deriveGuard } from "./derive";
export type { EqAtom, ExprGuard, GuardAtom, GuardClause, Subject, TextAtom } from "./types";
