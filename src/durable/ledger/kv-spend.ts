import { DAY_MS, utcDay, WriteBudget } from "../../core/blocklist/index";
import { bump } from "./counters";

/**
 * What the Ledger spends of KV's daily quotas, counted per UTC day in the `kv` counters
 * (a = the day `YYYY-MM-DD`, b = `writes` | `deletes`), and the budget it spends under
 * (`KV_WRITE_BUDGET` writes a day, default 1,000: the free plan's; deletes have their
 * own quota of the same size on that plan and are paced the same way).
 */

export type SpendKind = "writes" | "deletes";

export interface KvSpendDay {
  day: string;
  writes: number;
  deletes: number;
}

export interface KvBudgetReport {
  per_day: number;
  burst: number;
  /** Writes the budget allows so far today (its allowance grows evenly to per_day by 00:00 UTC). */
  allowance_now: number;
  today: KvSpendDay;
  /** The last 7 UTC days with any spend, newest first. */
  days: KvSpendDay[];
}

export function dayLabel(now: number): string {
  return new Date(utcDay(now) * DAY_MS).toISOString().slice(0, 10);
}

export class KvSpend {
  readonly budget: WriteBudget;

  constructor(
    private readonly sql: SqlStorage,
    perDay: number,
  ) {
    this.budget = new WriteBudget(perDay);
  }

  spentToday(kind: SpendKind, now: number): number {
    const row = this.sql
      .exec<{ n: number }>(
        "SELECT n FROM counters WHERE metric = 'kv' AND a = ? AND b = ?",
        dayLabel(now),
        kind,
      )
      .toArray()[0];
    return row ? Number(row.n) : 0;
  }

  record(kind: SpendKind, n: number, now: number): void {
    bump(this.sql, "kv", dayLabel(now), kind, n, now);
  }

  /** When `cost` more operations of `kind` fit the budget (≥ now; Infinity: never). */
  earliest(kind: SpendKind, cost: number, now: number): number {
    return this.budget.earliest(this.spentToday(kind, now), cost, now);
  }

  /** How many operations of `kind` fit right now. */
  available(kind: SpendKind, now: number): number {
    return Math.max(0, Math.floor(this.budget.allowance(now) - this.spentToday(kind, now)));
  }

  report(now: number): KvBudgetReport {
    const rows = this.sql
      .exec<{ a: string; b: string; n: number }>(
        "SELECT a, b, n FROM counters WHERE metric = 'kv' ORDER BY a DESC",
      )
      .toArray();
    const days = new Map<string, KvSpendDay>();
    for (const r of rows) {
      let d = days.get(r.a);
      if (!d) {
        if (days.size === 7) break;
        d = { day: r.a, writes: 0, deletes: 0 };
        days.set(r.a, d);
      }
      if (r.b === "writes" || r.b === "deletes") d[r.b] = Number(r.n);
    }
    const today = dayLabel(now);
    return {
      per_day: this.budget.perDay,
      burst: this.budget.burst,
      allowance_now: Math.floor(this.budget.allowance(now)),
      today: days.get(today) ?? { day: today, writes: 0, deletes: 0 },
      days: [...days.values()],
    };
  }
}
