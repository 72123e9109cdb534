/**
 * The KV write budget: at most `perDay` writes per UTC day (Cloudflare's daily limits
 * reset at 00:00 UTC; the free plan allows 1,000), spent no faster than an allowance that
 * starts each day at `burst` and grows evenly to `perDay` at midnight. A quiet spell
 * saves allowance (the next ban goes out at once); a busy one uses the burst, then the
 * Ledger may write only as fast as the allowance grows, so each write carries more
 * changes the nearer the budget is. Time is an input: the Ledger passes its clock, a
 * test a simulated one.
 */

export const DAY_MS = 86_400_000;

/** The UTC day of `now` (days since the epoch). */
export function utcDay(now: number): number {
  return Math.floor(now / DAY_MS);
}

export class WriteBudget {
  readonly burst: number;

  constructor(
    readonly perDay: number,
    burst?: number,
  ) {
    if (!Number.isInteger(perDay) || perDay < 1) {
      throw new RangeError(`KV write budget ${perDay} is not a positive integer`);
    }
    this.burst = Math.min(perDay, burst ?? Math.max(4, Math.ceil(perDay / 20)));
  }

  /** Writes allowed from the start of `now`'s UTC day up to `now`. */
  allowance(now: number): number {
    const f = (now - utcDay(now) * DAY_MS) / DAY_MS;
    return Math.min(this.perDay, this.burst + this.rate * f);
  }

  /** Writes a day beyond the burst: the allowance's growth, spread evenly over the day. */
  private get rate(): number {
    return Math.max(0, this.perDay - this.burst);
  }

  /**
   * The earliest instant ≥ `now` at which `cost` more writes fit, with `spentToday`
   * written so far in `now`'s UTC day (the next day starts from zero). Infinity when one
   * operation costs more than a whole day's budget (a configuration error the caller
   * reports).
   */
  earliest(spentToday: number, cost: number, now: number): number {
    if (cost > this.perDay) return Number.POSITIVE_INFINITY;
    const start = utcDay(now) * DAY_MS;
    const need = spentToday + cost;
    if (need <= this.allowance(now)) return now;
    if (need <= this.perDay) {
      return Math.max(now, start + Math.ceil(((need - this.burst) / this.rate) * DAY_MS));
    }
    return start + DAY_MS + Math.max(0, Math.ceil(((cost - this.burst) / this.rate) * DAY_MS));
  }
}
