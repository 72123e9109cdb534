import type { Event } from "../event";
import { parseDovecot } from "./dovecot";
import { parsePostfixSmtpd, parsePostscreen } from "./postfix";
import type { ProgramContext, ProgramParser, ProgramVerdict } from "./program-context";
import { parseSshd } from "./sshd";
import { parseWebProgram } from "./web-program";

/**
 * Which s01 parser reads a syslog program's message, as the hub parsers' filters say:
 * `sshd` / `sshd-session` (sshd-logs; sshd-success-logs for `sshd` only), any program
 * ending in `/smtpd` (postfix-logs), `postfix/postscreen` and `haproxy/postscreen`
 * (postscreen-logs), `dovecot` (dovecot-logs), programs starting with `nginx` or
 * `apache2` (nginx-logs, apache2-logs: web logs shipped through syslog or journald).
 * Palisade also reads sshd's `sshd-auth` (OpenSSH 10), dovecot's `dovecot-auth` and
 * `auth`, and Apache as `httpd`/`apache` (Red Hat's and BSD's names); CrowdSec does not.
 * Other programs (CRON, sudo, …) are unparsed. A program parser writes into `evt` only
 * when it recognises the message.
 */

/**
 * No auth line of these daemons comes near this length; refusing longer messages
 * bounds what a hostile line can cost the regexes.
 */
const MAX_PROGRAM_MESSAGE = 8192;

const sshd: ProgramParser = (m, e, ctx) => parseSshd(m, e, ctx, true);
const sshdSession: ProgramParser = (m, e, ctx) => parseSshd(m, e, ctx, false);

const byName = new Map<string, ProgramParser>([
  ["sshd", sshd],
  ["sshd-session", sshdSession],
  ["sshd-auth", sshdSession],
  ["dovecot", parseDovecot],
  ["dovecot-auth", parseDovecot],
  ["postfix/postscreen", parsePostscreen],
  ["haproxy/postscreen", parsePostscreen],
]);

/**
 * Dovecot's own log file names the process where syslog names `dovecot`
 * (`pop3-login: Info: …`, `auth-worker(22401): Info: …`): its message is read as the
 * `dovecot` program's `<process>: <message>`.
 */
const DOVECOT_PROCESS = /^(?:\w+-login|auth(?:-worker)?(?:\(\w+\))?)$/;
const dovecotProcess: ProgramParser = (m, e, ctx) => parseDovecot(`${ctx.program}: ${m}`, e);

function programParser(program: string): ProgramParser | undefined {
  const p = byName.get(program);
  if (p) return p;
  if (DOVECOT_PROCESS.test(program)) return dovecotProcess;
  if (program.endsWith("/smtpd")) return parsePostfixSmtpd;
  if (program.endsWith("/postscreen")) return parsePostscreen;
  if (program.startsWith("nginx") || program.startsWith("apache") || program.startsWith("httpd"))
    return parseWebProgram;
  return undefined;
}

/** Runs the program's parser on `message`; false when none applies or it does not match. */
export function parseProgramMessage(
  program: string,
  message: string,
  evt: Event,
  ctx: ProgramContext,
): ProgramVerdict {
  if (message.length > MAX_PROGRAM_MESSAGE && !isWebProgram(program)) return false;
  const parser = programParser(program);
  return parser ? parser(message, evt, ctx) : false;
}

function isWebProgram(program: string): boolean {
  return programParser(program) === parseWebProgram;
}
