/**
 * The per-member daily bound on signals: a flood from one member (a bug, a compromised
 * engine, an attempt to drown the commons) costs the commons at most the bound a day.
 * A batch that would pass the bound is refused whole, with this message, and nothing of
 * it is stored: the engine logs the refusal instead of losing signals silently.
 */

const DAY_MS = 86_400_000;

/** Days since the epoch, UTC: the bound resets at 00:00 UTC. */
export function utcDay(now: number): number {
  return Math.floor(now / DAY_MS);
}

export function boundRefusal(
  member: string,
  sentToday: number,
  batch: number,
  bound: number,
  now: number,
): string | undefined {
  if (sentToday + batch <= bound) return undefined;
  const reset = new Date((utcDay(now) + 1) * DAY_MS).toISOString();
  return `daily signal bound reached: member ${member} has sent ${sentToday} of its ${bound} signals today (UTC) and this batch has ${batch}; the batch is refused and nothing of it is stored. Send again after ${reset}, or ask the commons operator to raise COMMONS_DAILY_SIGNALS (or to enroll this member: members not enrolled have COMMONS_UNENROLLED_DAILY_SIGNALS).`;
}
