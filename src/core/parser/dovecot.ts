import type { Event } from "../event";
import { authLine, type Groups, loginKind, loginLine, pamLine } from "./dovecot-extra";
import type { ProgramVerdict } from "./program-context";
import { IP, isIpToken } from "./program-ip";

/**
 * Dovecot (program `dovecot`) to the fields of hub `crowdsecurity/dovecot-logs`:
 * `meta.log_type: dovecot_logs`, `meta.source_ip`, and `meta.dovecot_login_result:
 * auth_failed` when the login message says so (what scenario dovecot-spam counts).
 * Nodes, first match wins:
 * - `imap-login: Disconnected (auth failed, …): user=<u>, method=…, rip=IP, lip=IP, …`
 * - `auth-worker(N): backend(user,IP[,…]): [func() failed: ]message`
 *   (also behind `conn unix:auth-worker (pid=…,uid=…): auth-worker<N>: `)
 * - `auth: passwd-file(user,IP): [func() failed: ]message`
 * The user name is the client's: the address taken is the last one that fits the shape
 * (hub grok takes the first), so a user name spelling `,6.6.6.6` cannot pose as the peer.
 */

const LOGIN_HEAD = /^(\w+)-login: /;
const RIP = new RegExp(`, rip=(${IP}), lip=(${IP})`, "y");

/**
 * `<proto>-login: <message>: user=<u>…, rip=IP, lip=IP`: the first `: user=<` ends the
 * message and the first `>` the user (grok's lazy DATA); the last `, rip=` that fits
 * gives the peer (grok's greedy `.*`). Done by hand: a regex would backtrack cubically.
 */
function loginGroups(message: string): Record<string, string> | undefined {
  const head = LOGIN_HEAD.exec(message);
  if (!head) return undefined;
  const start = head[0].length;
  const userAt = message.indexOf(": user=<", start);
  const close = userAt < 0 ? -1 : message.indexOf(">", userAt + 8);
  if (close < 0) return undefined;
  let at = message.lastIndexOf(", rip=");
  for (let tries = 0; at > close && tries < 8; tries++) {
    RIP.lastIndex = at;
    const m = RIP.exec(message);
    if (m) {
      return {
        protocol: head[1] as string,
        dovecot_login_message: message.slice(start, userAt),
        dovecot_user: message.slice(userAt + 8, close),
        dovecot_remote_ip: m[1] as string,
        dovecot_local_ip: m[2] as string,
      };
    }
    at = message.lastIndexOf(", rip=", at - 1);
  }
  return undefined;
}

const TAIL = `\\((?<dovecot_user>.*),(?<dovecot_remote_ip>${IP})`;
const RESULT = "(?:(?<auth_func>[A-Za-z0-9_]+(?:\\(\\))?) failed: )?(?<dovecot_login_message>.*)$";
const WORKER = new RegExp(
  `^auth-worker\\(\\d+\\): (?:(?:Info: )?conn unix:auth-worker \\(pid=\\d+,uid=\\d+\\): auth-worker<\\d+>: )?(?<dovecot_user_backend>\\w+)${TAIL}(?:,[^,)]*)*\\): ${RESULT}`,
  "s",
);
const PASSWD_FILE = new RegExp(`^auth: passwd-file${TAIL}\\): ${RESULT}`, "s");

const FAILURES = [
  "Authentication failure",
  "Password mismatch",
  "password mismatch",
  "auth failed",
  "unknown user",
];

function loginResult(message: string): string {
  for (const f of FAILURES) if (message.includes(f)) return "auth_failed";
  return "";
}

function fill(evt: Event, g: Record<string, string | undefined>, ip: string): void {
  for (const k in g) {
    const v = g[k];
    if (v) evt.Parsed[k] = v;
  }
  const meta = evt.Meta;
  meta.log_type = "dovecot_logs";
  meta.source_ip = ip;
  const result = loginResult(g.dovecot_login_message ?? "");
  if (result) meta.dovecot_login_result = result;
}

/**
 * Parses a dovecot message into `evt`: the hub's nodes, then Palisade's forms
 * (dovecot-extra.ts). False when none reads it; "ambiguous" when the client's user name
 * spells a second address the line could be read with.
 */
export function parseDovecot(message: string, evt: Event): ProgramVerdict {
  const login = loginGroups(message);
  const g = login ?? (WORKER.exec(message) ?? PASSWD_FILE.exec(message))?.groups;
  const ip = g?.dovecot_remote_ip;
  if (g && ip && isIpToken(ip) && (!g.dovecot_local_ip || isIpToken(g.dovecot_local_ip))) {
    // The hub takes the last `, rip=` followed by `, lip=`; the last `rip=` of the line
    // is Dovecot's. They differ only when the user name holds a `rip=…, lip=…` of its
    // own: then Palisade's reading (dovecot-extra.ts) makes the event.
    if (!login || loginLine(message)?.dovecot_remote_ip === ip) {
      fill(evt, g, ip);
      return true;
    }
  }
  return parseDovecotExtra(message, evt);
}

function parseDovecotExtra(message: string, evt: Event): ProgramVerdict {
  const pam = pamLine(message);
  if (pam === "ambiguous") return pam;
  const x: Groups | undefined = loginLine(message) ?? authLine(message) ?? pam;
  const ip = x?.dovecot_remote_ip;
  if (!x || !ip) return false;
  fill(evt, x, ip);
  if (pam === x) evt.Meta.dovecot_login_result = "auth_failed";
  const kind = x.protocol ? loginKind(x.dovecot_login_message ?? "") : undefined;
  if (kind) evt.Meta.sub_type = kind;
  return true;
}
