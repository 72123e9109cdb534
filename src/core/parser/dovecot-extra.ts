import { IP, isIpToken } from "./program-ip";
import { agreedReading } from "./readings";

/**
 * Dovecot messages CrowdSec's hub dovecot-logs does not read, as fail2ban's dovecot
 * filter knows them: login-process lines without `user=<…>` or without `lip=`
 * (`Disconnected (auth failed, 1 attempts): method=PLAIN, rip=…`), the auth process's
 * `pam(…)`, `sql(…)`, `ldap(…)` results outside `auth-worker(N)`, and PAM's own
 * `pam_unix(dovecot:auth): authentication failure; … rhost=…` (programs `dovecot`,
 * `dovecot-auth`, `auth`). They carry the hub's field names, plus `Meta.sub_type`
 * (`no_auth` for a client that never tried to log in, `plaintext_refused`).
 */

export type Groups = Record<string, string>;

const LOGIN_HEAD = /^(?:dovecot: )?(\w+)-login: (?:Info: )?/;
const RIP = new RegExp(`rip=(${IP})(?:, lip=(${IP}))?(?=,|$)`, "y");

/**
 * `<proto>-login: <message>: [user=<u>, ][method=m, ]rip=IP[, lip=IP][, …]`. The user is
 * the client's text and comes before `rip=`; what follows `rip=` is Dovecot's (lip, TLS,
 * session id), so the address is the last `rip=` that has Dovecot's shape after it.
 */
export function loginLine(message: string): Groups | undefined {
  const head = LOGIN_HEAD.exec(message);
  if (!head) return undefined;
  const start = head[0].length;
  let at = message.lastIndexOf("rip=");
  for (let tries = 0; at > start && tries < 8; tries++) {
    const sep = message.slice(at - 2, at);
    RIP.lastIndex = at;
    const m = sep === ", " || sep === ": " ? RIP.exec(message) : null;
    if (m) return loginGroups(message, head[1] as string, start, at, m);
    at = message.lastIndexOf("rip=", at - 1);
  }
  return undefined;
}

function loginGroups(
  message: string,
  protocol: string,
  start: number,
  at: number,
  m: RegExpExecArray,
): Groups {
  const before = message.slice(start, at - 2);
  const g: Groups = { protocol, dovecot_remote_ip: m[1] as string };
  if (m[2]) g.dovecot_local_ip = m[2];
  // The message ends at the first `: ` after its closing parenthesis: "Disconnected:
  // Inactivity (auth failed, 1 attempts in 178 secs)".
  const close = before.indexOf("): ");
  const end = close >= 0 ? close + 1 : before.endsWith(")") ? before.length : before.indexOf(": ");
  g.dovecot_login_message = end >= 0 ? before.slice(0, end) : before;
  const user = /^user=<(.*)>(?:, |$)/s.exec(end >= 0 ? before.slice(end + 2) : "");
  if (user) g.dovecot_user = user[1] as string;
  return g;
}

const AUTH_HEAD =
  /^(?:dovecot: )?auth(?:-worker)?(?:\([^)]*\))?: (?:Info: )?(?:conn unix:auth-worker \([^)]*\): auth-worker<\d+>: )?(\w+)\(/;
const AFTER_IP = /^(?:,[^,)]*)*\): (?:([A-Za-z0-9_]+(?:\(\))?) failed: )?(.*)$/s;

/**
 * `auth…: <backend>(<user>,<ip>[,<session>]): [<func>() failed: ]<message>`. The user
 * is the client's text (it may spell `,6.6.6.6`); the address is the last one followed
 * by Dovecot's `[,…]): `, after which only Dovecot's message comes.
 */
export function authLine(message: string): Groups | undefined {
  const head = AUTH_HEAD.exec(message);
  if (!head) return undefined;
  const open = head[0].length;
  for (
    let comma = message.lastIndexOf(",");
    comma > open;
    comma = message.lastIndexOf(",", comma - 1)
  ) {
    const ip = /^[0-9A-Fa-f:.]+/.exec(message.slice(comma + 1, comma + 47))?.[0];
    if (!ip || !isIpToken(ip)) continue;
    const tail = AFTER_IP.exec(message.slice(comma + 1 + ip.length));
    if (!tail) continue;
    const g: Groups = {
      dovecot_user_backend: head[1] as string,
      dovecot_user: message.slice(open, comma),
      dovecot_remote_ip: ip,
      dovecot_login_message: tail[2] as string,
    };
    if (tail[1]) g.auth_func = tail[1];
    return g;
  }
  return undefined;
}

const PAM_HEAD =
  /^(?:(?:dovecot: )?auth(?:-worker)?(?:\([^)]*\))?: (?:Info: )?)?pam_\w+\(dovecot:auth\):\s+authentication failure;(?:\s+(?:logname|e?uid|tty)=\S*){0,4}\s+ruser=/;
const RHOST = new RegExp(`rhost=(${IP})(?:\\s+user=(.*?))?\\s*$`, "ys");

/**
 * PAM's `authentication failure; … ruser=<u> rhost=<ip>[ user=<u>]`: both user fields are
 * the login name the client sent, on either side of the address. Every `rhost=` that
 * fits is a reading; the address is taken when they agree (readings.ts).
 */
export function pamLine(message: string): Groups | "ambiguous" | undefined {
  const head = PAM_HEAD.exec(message);
  if (!head) return undefined;
  const reading = agreedReading(
    message,
    " rhost=",
    (at) => {
      if (at < head[0].length - 1) return undefined;
      RHOST.lastIndex = at + 1;
      const m = RHOST.exec(message);
      return m ? { ip: m[1] as string, user: m[2] ?? "", at } : undefined;
    },
    (r) => r.ip,
  );
  if (reading === "ambiguous" || reading === undefined) return reading;
  const g: Groups = {
    dovecot_remote_ip: reading.ip,
    dovecot_login_message: "authentication failure",
    pam_ruser: message.slice(head[0].length, reading.at),
  };
  if (reading.user) g.dovecot_user = reading.user;
  return g;
}

/** `Meta.sub_type` of a Palisade-only login line. */
export function loginKind(message: string): string | undefined {
  if (
    /\((?:no auth attempts|disconnected before auth was ready|client didn't finish)/.test(message)
  )
    return "no_auth";
  if (/\(tried to use (?:disabled|disallowed) \S+ auth\)/.test(message)) return "plaintext_refused";
  return undefined;
}
