import type { EvalCache } from "../eval-cache";
import type { DerivedSubject, SubjectPath } from "../subject";

/** A pure expression of the event alone; `run` throws what the expression would throw. */
export interface Subject {
  /** Canonical: equal keys mean equal values for the same event. */
  readonly key: string;
  /** Present for plain field reads (`evt.Meta.http_path`), which a reader may do itself. */
  readonly path?: SubjectPath;
  /** Present for a helper of a plain field read (`PathUnescape(evt.Meta.http_path)`). */
  readonly derived?: DerivedSubject;
  run(env: Record<string, unknown>, cache: EvalCache | null): unknown;
}

/** Holds when the subject's value is `value` (`===`). */
export interface EqAtom {
  readonly kind: "eq";
  readonly subject: Subject;
  readonly value: string | number | boolean;
}

/**
 * Holds when the subject is a string that contains `literal` (lower-case ASCII) ignoring
 * ASCII case — and, when `fold` is set, whenever the subject has a non-ASCII character
 * (Go's case mappings and RE2's `(?i)` turn some of those into ASCII letters: ſ → S).
 * A subject that is not a string: the atom may hold.
 */
export interface TextAtom {
  readonly kind: "text";
  readonly subject: Subject;
  readonly literal: string;
  readonly fold: boolean;
}

export type GuardAtom = EqAtom | TextAtom;
/** Holds when one of its atoms holds; an empty clause never holds. */
export type GuardClause = readonly GuardAtom[];

export interface ExprGuard {
  /** All of them hold whenever the expression yields true. */
  readonly clauses: readonly GuardClause[];
}
