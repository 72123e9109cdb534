import type { ExprGuard, GuardAtom, GuardClause, Subject } from "../../expr/index";
import type { CompiledScenario } from "../../scenario/types";
import { maskOf, wordsFor } from "./clause-mask";
import { EqualityIndex } from "./equality-index";
import { LiteralDfa } from "./literal-dfa";

/**
 * The static part of a GuardIndex: the scenarios' guards turned into numbered clauses
 * (scenarios share identical ones, such as `evt.Meta.log_type in [...]`), the distinct
 * subjects they read, and one case-insensitive automaton over every text literal of every
 * subject, each literal knowing which (subject, clause) pairs it satisfies.
 */

export interface SubjectPlan {
  readonly subject: Subject;
  /** Equality atoms on it; null when it has none. */
  readonly equals: EqualityIndex | null;
  /** Whether text atoms read it (then it is scanned on every event). */
  readonly text: boolean;
  /**
   * Computed only when a scenario needs it: a helper call (`Upper(evt.Parsed.verb)`)
   * compared for equality, which allocates and rarely matters (other clauses fail first).
   */
  readonly lazy: boolean;
  /** Clauses of its text atoms (clause-mask.ts): all may hold when its value is not a string. */
  readonly textMask: Int32Array;
  /** Clauses of its `fold` text atoms: all may hold when its value is not ASCII. */
  readonly foldMask: Int32Array;
  /** Every clause it feeds: all may hold when computing it fails. */
  readonly allMask: Int32Array;
}

export interface GuardPlan {
  /** Words of a clause mask (clause-mask.ts). */
  readonly words: number;
  readonly subjects: readonly SubjectPlan[];
  /** Per scenario: its clauses, cheapest first; null when it has no guard (always runs). */
  readonly scenarioClauses: readonly (Int32Array | null)[];
  /** Per clause: the subjects whose atoms can satisfy it. */
  readonly clauseSubjects: readonly Int32Array[];
  /** Per clause: 1 when one of those subjects is lazy (computed on demand). */
  readonly clauseLazy: Uint8Array;
  /** Per clause: the scenarios whose guard has it. */
  readonly clauseScenarios: readonly Int32Array[];
  /** Every text literal; the ids it reports are literal numbers. */
  readonly dfa: LiteralDfa | null;
  /** Per literal: flattened (subject, clause) pairs it satisfies. */
  readonly literalTargets: readonly Int32Array[];
}

interface SubjectAtoms {
  readonly subject: Subject;
  readonly equals: Map<unknown, Set<number>>;
  readonly textClauses: Set<number>;
  readonly foldClauses: Set<number>;
  readonly clauses: Set<number>;
}

export function planGuards(scenarios: readonly CompiledScenario[]): GuardPlan {
  const b = new PlanBuilder();
  const scenarioClauses = scenarios.map((s) => (s.filter.guard ? b.add(s.filter.guard) : null));
  const rest = b.finish();
  const users: number[][] = rest.clauseSubjects.map(() => []);
  scenarioClauses.forEach((cs, i) => {
    for (const c of cs ?? []) users[c]?.push(i);
  });
  return { scenarioClauses, clauseScenarios: users.map((u) => Int32Array.from(u)), ...rest };
}

class PlanBuilder {
  private readonly subjects = new Map<string, SubjectAtoms & { id: number }>();
  private readonly perClause: Set<number>[] = [];
  private readonly bySignature = new Map<string, number>();
  /** literal → subject id → clauses. */
  private readonly literals = new Map<string, Map<number, Set<number>>>();

  add(guard: ExprGuard): Int32Array {
    // Cheap clauses first: a scenario stops at its first clause that fails.
    const clauses = [...guard.clauses].sort((a, b) => clauseCost(a) - clauseCost(b));
    return Int32Array.from(new Set(clauses.map((c) => this.clauseId(c))));
  }

  private clauseId(clause: GuardClause): number {
    const sig = JSON.stringify(clause.map(atomSignature).sort());
    const known = this.bySignature.get(sig);
    if (known !== undefined) return known;
    const c = this.perClause.length;
    this.bySignature.set(sig, c);
    const subjects = new Set<number>();
    this.perClause.push(subjects);
    for (const atom of clause) {
      const sa = this.subjectAtoms(atom.subject);
      subjects.add(sa.id);
      sa.clauses.add(c);
      if (atom.kind === "eq") addTo(sa.equals, atom.value, c);
      else {
        sa.textClauses.add(c);
        if (atom.fold) sa.foldClauses.add(c);
        let bySubject = this.literals.get(atom.literal);
        if (!bySubject) {
          bySubject = new Map();
          this.literals.set(atom.literal, bySubject);
        }
        addTo(bySubject, sa.id, c);
      }
    }
    return c;
  }

  private subjectAtoms(subject: Subject): SubjectAtoms & { id: number } {
    let sa = this.subjects.get(subject.key);
    if (!sa) {
      sa = {
        subject,
        id: this.subjects.size,
        equals: new Map(),
        textClauses: new Set(),
        foldClauses: new Set(),
        clauses: new Set(),
      };
      this.subjects.set(subject.key, sa);
    }
    return sa;
  }

  finish(): Omit<GuardPlan, "scenarioClauses" | "clauseScenarios"> {
    const literals = [...this.literals];
    const words = wordsFor(this.perClause.length);
    const subjects = [...this.subjects.values()].map((sa) => subjectPlan(sa, words));
    return {
      words,
      subjects,
      clauseSubjects: this.perClause.map((s) => Int32Array.from(s)),
      clauseLazy: Uint8Array.from(this.perClause, (s) =>
        [...s].some((id) => subjects[id]?.lazy) ? 1 : 0,
      ),
      dfa:
        literals.length === 0
          ? null
          : new LiteralDfa(literals.map(([literal], i) => ({ literal, ids: [i] }))),
      literalTargets: literals.map(([, bySubject]) =>
        Int32Array.from([...bySubject].flatMap(([s, cs]) => [...cs].flatMap((c) => [s, c]))),
      ),
    };
  }
}

function subjectPlan(sa: SubjectAtoms, words: number): SubjectPlan {
  const text = sa.textClauses.size > 0;
  return {
    subject: sa.subject,
    equals: sa.equals.size > 0 ? new EqualityIndex(sa.equals, words) : null,
    text,
    lazy: !text && isComputed(sa.subject),
    textMask: maskOf(sa.textClauses, words),
    foldMask: maskOf(sa.foldClauses, words),
    allMask: maskOf(sa.clauses, words),
  };
}

/** Subject keys start with `evt` for plain field reads, with a helper's name otherwise. */
function isComputed(subject: Subject): boolean {
  return !subject.key.startsWith("evt");
}

/** Reading a field and comparing it costs least, scanning more, computing a helper most. */
function clauseCost(clause: GuardClause): number {
  let cost = 0;
  for (const atom of clause) {
    cost = Math.max(cost, isComputed(atom.subject) ? 3 : atom.kind === "eq" ? 1 : 2);
  }
  return cost;
}

function atomSignature(atom: GuardAtom): string {
  const what = atom.kind === "eq" ? [typeof atom.value, atom.value] : [atom.literal, atom.fold];
  return JSON.stringify([atom.subject.key, atom.kind, ...what]);
}

function addTo<K>(m: Map<K, Set<number>>, k: K, c: number): void {
  const s = m.get(k);
  if (s) s.add(c);
  else m.set(k, new Set([c]));
}
