import type { Env } from "../../env";

/** The Ledger is a singleton: every caller reaches the same object by this name. */
export const LEDGER_NAME = "ledger";

export function ledgerOf(env: Pick<Env, "LEDGER">) {
  return env.LEDGER.get(env.LEDGER.idFromName(LEDGER_NAME));
}
