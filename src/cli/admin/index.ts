import { alerts } from "./alerts";
import { allowlist } from "./allowlist";
import { bouncers } from "./bouncers";
import { type Noun, runNoun } from "./command";
import { commons } from "./commons";
import { decisions } from "./decisions";
import { machines } from "./machines";
import { runMetrics } from "./metrics";

/** The admin commands (`palisade decisions list`, …): cscli's nouns over the admin API. */

const NOUNS: Readonly<Record<string, Noun>> = {
  decisions,
  alerts,
  allowlist,
  bouncers,
  machines,
  commons,
};

export const ADMIN_USAGE = `Admin commands (over the Worker's admin API, like cscli):
  palisade decisions list|add|delete     palisade alerts list|inspect
  palisade allowlist list|add|remove     palisade bouncers list|add|delete
  palisade machines list|add|delete      palisade metrics                       palisade commons keys|members|why|safelist|status
  palisade NOUN help                     shows a noun's flags
Every one takes --url URL --token TOKEN (else PALISADE_URL / PALISADE_TOKEN, else url: and
token: in --config FILE, PALISADE_CONFIG or ~/.config/palisade/cli.yaml), and -o json for
scripts (human tables by default).`;

export function isAdminCommand(command: string): boolean {
  return command === "metrics" || Object.hasOwn(NOUNS, command);
}

export async function runAdmin(command: string, args: string[]): Promise<void> {
  if (command === "metrics") return runMetrics(args);
  const noun = NOUNS[command];
  if (!noun) throw new Error(`not an admin command: ${command}`);
  await runNoun(command, noun, args);
}
