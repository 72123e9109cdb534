import type { Event } from "../event";
import { parseDovecot } from "./dovecot";
import { parsePostfixSmtpd, parsePostscreen } from "./postfix";
import { parseSshd } from "./sshd";

/**
 * Which s01 parser reads a syslog program's message, as the hub parsers' filters say:
 * `sshd` / `sshd-session` (sshd-logs; sshd-success-logs for `sshd` only), any program
 * ending in `/smtpd` (postfix-logs), `postfix/postscreen` and `haproxy/postscreen`
 * (postscreen-logs), `dovecot` (dovecot-logs). Other programs (CRON, sudo, …) are
 * unparsed. A program parser writes into `evt` only when it recognises the message.
 */
export type ProgramParser = (message: string, evt: Event) => boolean;

/**
 * No auth line of these daemons comes near this length; refusing longer messages
 * bounds what a hostile line can cost the regexes.
 */
const MAX_PROGRAM_MESSAGE = 8192;

const byName = new Map<string, ProgramParser>([
  ["sshd", (m, e) => parseSshd(m, e, true)],
  ["sshd-session", (m, e) => parseSshd(m, e, false)],
  ["dovecot", parseDovecot],
  ["postfix/postscreen", parsePostscreen],
  ["haproxy/postscreen", parsePostscreen],
]);

function programParser(program: string): ProgramParser | undefined {
  return byName.get(program) ?? (program.endsWith("/smtpd") ? parsePostfixSmtpd : undefined);
}

/** Runs the program's parser on `message`; false when none applies or it does not match. */
export function parseProgramMessage(program: string, message: string, evt: Event): boolean {
  if (message.length > MAX_PROGRAM_MESSAGE) return false;
  const parser = programParser(program);
  return parser?.(message, evt) === true;
}
