import type { ClauseStamps } from "./clause-stamps";
import type { GuardPlan, SubjectPlan } from "./guard-plan";
import { LiteralFinder, MEMO_MIN_LENGTH } from "./literal-finder";

/**
 * The text atoms of a guard index: once the subjects of an event are known, every
 * distinct string among the text subjects is scanned once for the literals of all
 * scenarios (for nginx, `http_path`, `request` and the unescaped paths are usually one
 * string object), and each literal found stamps the clauses it satisfies for the subjects
 * holding that string.
 */
export class TextAttribution {
  /** Per subject this event: the text subject whose identical string it shares, or -1. */
  private readonly leader: Int32Array;
  private readonly textSubjects: Int32Array;
  private readonly finder: LiteralFinder | null;
  /** Strings already scanned this event (leaders), to share among equal ones. */
  private readonly longLeaders: Int32Array;
  private longCount = 0;

  constructor(
    private readonly plan: GuardPlan,
    private readonly stamps: ClauseStamps,
    /** The index's subject values, filled before `attribute`. */
    private readonly values: readonly unknown[],
  ) {
    this.leader = new Int32Array(plan.subjects.length).fill(-1);
    this.textSubjects = Int32Array.from(plan.subjects.flatMap((sp, i) => (sp.text ? [i] : [])));
    this.longLeaders = new Int32Array(this.textSubjects.length);
    this.finder = plan.dfa && new LiteralFinder(plan.dfa, plan.literalTargets.length);
  }

  /** Subject `s` was computed: it leads its own string until grouped. */
  found(s: number): void {
    this.leader[s] = s;
  }

  /** Computing subject `s` failed: it takes no part in scans. */
  failed(s: number): void {
    this.leader[s] = -1;
  }

  attribute(): void {
    this.group();
    const texts = this.textSubjects;
    for (let k = 0; k < texts.length; k++) {
      const s = texts[k] as number;
      if (this.leader[s] === s) this.scan(s, this.values[s] as string);
    }
  }

  /**
   * Leaders first: a non-string subject satisfies its text clauses (it cannot be
   * scanned); a string equal to an earlier one joins that one's scan.
   */
  private group(): void {
    const texts = this.textSubjects;
    this.longCount = 0;
    for (let k = 0; k < texts.length; k++) {
      const s = texts[k] as number;
      if ((this.leader[s] as number) < 0) continue;
      const v = this.values[s];
      if (typeof v !== "string") {
        this.stamps.markAll((this.plan.subjects[s] as SubjectPlan).textClauses);
        this.leader[s] = -1;
      } else if (v.length >= MEMO_MIN_LENGTH) this.leader[s] = this.sameAs(s, v);
    }
  }

  private sameAs(s: number, v: string): number {
    for (let j = 0; j < this.longCount; j++) {
      const t = this.longLeaders[j] as number;
      const w = this.values[t] as string;
      if (w.length === v.length && w === v) return t;
    }
    this.longLeaders[this.longCount++] = s;
    return s;
  }

  /** Stamps the clauses the literals in `v` satisfy for every subject sharing leader `s`. */
  private scan(s: number, v: string): void {
    const finder = this.finder;
    if (finder === null || v === "") return;
    const hits = finder.find(v);
    const n = finder.count;
    const targets = this.plan.literalTargets;
    for (let k = 1; k < n; k++) {
      const pairs = targets[hits[k] as number] as Int32Array;
      for (let j = 0; j < pairs.length; j += 2) {
        if (this.leader[pairs[j] as number] === s) this.stamps.mark(pairs[j + 1] as number);
      }
    }
    if (hits[0] === 1) this.foldsOf(s);
  }

  /** A non-ASCII string: `fold` atoms of the subjects sharing it may hold. */
  private foldsOf(s: number): void {
    const texts = this.textSubjects;
    for (let k = 0; k < texts.length; k++) {
      const t = texts[k] as number;
      if (this.leader[t] === s) {
        this.stamps.markAll((this.plan.subjects[t] as SubjectPlan).foldClauses);
      }
    }
  }
}
