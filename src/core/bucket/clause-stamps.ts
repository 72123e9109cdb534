/**
 * Which guard clauses hold for the current event, and how many of each scenario's. A
 * clause is stamped with the generation when it first holds; that also counts it for
 * every scenario using it, so a scenario passes when its count reaches its number of
 * clauses — no walk over every scenario's clauses per event.
 */
export class ClauseStamps {
  gen = 0;
  private readonly stamp: Int32Array;
  private readonly scenarioStamp: Int32Array;
  private readonly held: Int32Array;
  /** Bound once: passed to automaton scans and used for lists of clause ids. */
  readonly markAll = (ids: Int32Array): void => {
    for (let k = 0; k < ids.length; k++) this.mark(ids[k] as number);
  };

  constructor(
    /** Per clause: the scenarios whose guard has it. */
    private readonly scenariosOf: readonly Int32Array[],
    scenarios: number,
  ) {
    this.stamp = new Int32Array(scenariosOf.length);
    this.scenarioStamp = new Int32Array(scenarios);
    this.held = new Int32Array(scenarios);
  }

  /** Starts generation `gen`; stamps of an older one are forgotten. */
  begin(gen: number, fresh: boolean): void {
    if (fresh || gen < this.gen) {
      this.stamp.fill(0);
      this.scenarioStamp.fill(0);
    }
    this.gen = gen;
  }

  has(c: number): boolean {
    return this.stamp[c] === this.gen;
  }

  mark(c: number): void {
    const gen = this.gen;
    if (this.stamp[c] === gen) return;
    this.stamp[c] = gen;
    const scenarios = this.scenariosOf[c] as Int32Array;
    for (let k = 0; k < scenarios.length; k++) {
      const s = scenarios[k] as number;
      if (this.scenarioStamp[s] === gen) this.held[s] = (this.held[s] as number) + 1;
      else {
        this.scenarioStamp[s] = gen;
        this.held[s] = 1;
      }
    }
  }

  /** How many of scenario `s`'s clauses hold. */
  heldBy(s: number): number {
    return this.scenarioStamp[s] === this.gen ? (this.held[s] as number) : 0;
  }
}
