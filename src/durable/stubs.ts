import type { Env } from "../env";

/** The Ledger is a singleton: every caller reaches the same object by this name. */
export const LEDGER_NAME = "ledger";

export function ledgerOf(env: Pick<Env, "LEDGER">) {
  return env.LEDGER.get(env.LEDGER.idFromName(LEDGER_NAME));
}

/** The SourceTracker of a source key (`sourceKeyOf`). */
export function trackerOf(env: Pick<Env, "SOURCES">, source: string) {
  return env.SOURCES.get(env.SOURCES.idFromName(source));
}
