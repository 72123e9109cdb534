import { alerts } from "./alerts";
import { allowlist } from "./allowlist";
import { EXPORT_USAGE, IMPORT_USAGE, runExport, runImport } from "./backup";
import { bouncers } from "./bouncers";
import { type Noun, runCommand, runNoun } from "./command";
import { commons } from "./commons";
import { IP_USAGE, runIp } from "./commons-member";
import { collections, parsers, profiles } from "./content";
import { decisions } from "./decisions";
import { dlq } from "./dlq";
import { machines } from "./machines";
import { METRICS_USAGE, runMetrics } from "./metrics";
import { scenarios } from "./scenarios";

/** The admin commands (`palisade decisions list`, …): cscli's nouns over the admin API. */

const NOUNS: Readonly<Record<string, Noun>> = {
  decisions,
  alerts,
  allowlist,
  bouncers,
  machines,
  dlq,
  commons,
  scenarios,
  parsers,
  profiles,
  collections,
};

export const ADMIN_USAGE = `Admin commands (over the Worker's admin API, like cscli):
  palisade decisions list|add|delete     palisade alerts list|inspect
  palisade allowlist list|add|remove     palisade bouncers list|add|delete
  palisade machines list|add|delete      palisade metrics
  palisade dlq list|replay|delete        the ingest queue's dead letters
  palisade scenarios add|list|show|remove|enable|disable|simulate|history|rollback
  palisade parsers add|list|remove       palisade profiles set|show|reset
  palisade collections install DIR       detection content installed without a redeploy
  palisade export [--file FILE]          palisade import FILE|-   (backup, migration)
  palisade commons join|sharing|sync|status   this deployment as a member of a commons
  palisade ip IP                         an address here and in the commons, one view
  palisade commons keys|members|why|safelist|status   (against a commons: its URL and admin token)
  palisade NOUN help                     shows a noun's flags
Every one takes --url URL --token TOKEN (else PALISADE_URL / PALISADE_TOKEN, else url: and
token: in --config FILE, PALISADE_CONFIG or ~/.config/palisade/cli.yaml), and -o json for
scripts (human tables by default).`;

const COMMANDS: Readonly<Record<string, [string, (args: string[]) => Promise<void>]>> = {
  metrics: [METRICS_USAGE, runMetrics],
  ip: [IP_USAGE, runIp],
  export: [EXPORT_USAGE, runExport],
  import: [IMPORT_USAGE, runImport],
};

export const ADMIN_COMMANDS: readonly string[] = [...Object.keys(NOUNS), ...Object.keys(COMMANDS)];

export function isAdminCommand(command: string): boolean {
  return Object.hasOwn(COMMANDS, command) || Object.hasOwn(NOUNS, command);
}

export async function runAdmin(command: string, args: string[]): Promise<void> {
  const one = COMMANDS[command];
  if (one) return runCommand(command, one[0], args, one[1]);
  const noun = NOUNS[command];
  if (!noun) throw new Error(`not an admin command: ${command}`);
  await runNoun(command, noun, args);
}
