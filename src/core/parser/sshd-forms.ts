import { IP } from "./program-ip";

/**
 * sshd messages CrowdSec's hub parsers do not read, and what Palisade makes of them
 * (the catalogue is fail2ban's sshd filter, modes normal, ddos, extra and aggressive).
 * Each regex is anchored at the start of the message (after the level tag and
 * Solaris' `[ID n facility]`) and, where the client's text comes before the address
 * (user names), at its end, so the address is the one sshd wrote in its own position.
 *
 * Groups: `host` (the client's address, or a host name sshd resolved), `user`, `port`.
 * `source: "session"` forms carry no address: they take the session's (the same sshd
 * process' earlier line), or wait for the next line of the session that carries one.
 */

export type SshdKind =
  /** A password/key/keyboard attempt that failed, or a refusal of one. */
  | "attempt"
  /** A session's summary of failures already logged one by one. */
  | "summary"
  /** PAM's report of an attempt sshd also logs. */
  | "pam"
  /** A client that never identified itself as an SSH client (scanners, probes). */
  | "no-identification"
  /** No common algorithm (old or scanning clients). */
  | "bad-keyexchange"
  /** The client did not authenticate within LoginGraceTime. */
  | "auth-timeout"
  /** The client left because none of its methods was offered (password bots on key-only servers). */
  | "no-auth-methods";

export interface SshdForm {
  name: string;
  re: RegExp;
  kind: SshdKind;
  source: "line" | "session";
  /** The line is the last of its session: the session is forgotten after it. */
  ends?: boolean;
  /** Fixed target user (`ROOT LOGIN REFUSED`). */
  user?: string;
}

/** Meta of each kind: `log_type`, and `sub_type` where the built-in scenarios need it. */
export const KIND_META: Record<SshdKind, { logType: string; subType?: string }> = {
  attempt: { logType: "ssh_failed-auth" },
  summary: { logType: "ssh_failed-auth", subType: "summary" },
  pam: { logType: "ssh_failed-auth", subType: "pam" },
  "no-identification": { logType: "ssh_no_identification" },
  "bad-keyexchange": { logType: "ssh_bad_keyexchange" },
  "auth-timeout": { logType: "ssh_auth_timeout" },
  "no-auth-methods": { logType: "ssh_failed-auth", subType: "no_auth_methods" },
};

const HOST = "(?<host>[0-9A-Za-z.:%_-]+?)";
const ADDR = `(?<host>${IP})`;
const PORT = String.raw`(?: port (?<port>\d{1,5}))?`;
const PREAUTH = String.raw`(?: \[preauth\])?`;
const ALG = String.raw`(?:\w+ (?!found\b)){0,2}\w+`;

function form(
  name: string,
  source: string,
  kind: SshdKind,
  extra: Partial<Omit<SshdForm, "name" | "re" | "kind">> = {},
): SshdForm {
  return { name, re: new RegExp(`^${source}`, "s"), kind, source: "line", ...extra };
}

/** Forms by the first character of the message. */
export const SSHD_FORMS: ReadonlyMap<string, readonly SshdForm[]> = new Map([
  [
    "D",
    [
      form(
        "too-many-failures",
        `Disconnecting: Too many authentication failures(?: for (?:invalid user )?(?<user>.*?))?${PREAUTH}$`,
        "summary",
        { source: "session" },
      ),
      form(
        "too-many-failures-user",
        `Disconnecting (?:authenticating|invalid) user (?<user>.*) ${ADDR}${PORT}: Too many authentication failures${PREAUTH}$`,
        "summary",
      ),
      form(
        "change-of-username",
        `Disconnecting (?:authenticating|invalid) user (?<user>.*?) ${ADDR}${PORT}: Change of username or service not allowed: `,
        "attempt",
      ),
      form(
        "did-not-receive-identification",
        `Did not receive identification string from ${HOST}${PORT}$`,
        "no-identification",
        { ends: true },
      ),
      form(
        "disconnected-user",
        `Disconnected from (?:authenticating|invalid) user (?<user>.*) ${ADDR}${PORT}$`,
        "attempt",
        { ends: true },
      ),
    ],
  ],
  [
    "T",
    [
      form(
        "timeout-before-authentication",
        String.raw`Timeout before authentication for connection from ${ADDR} to \S+, pid = \d+$`,
        "auth-timeout",
        { ends: true },
      ),
    ],
  ],
  [
    "m",
    [
      form(
        "max-auth-attempts",
        String.raw`maximum authentication attempts exceeded for (?:invalid user )?(?<user>.*) from ${HOST}${PORT}(?: ssh\d*)?${PREAUTH}$`,
        "summary",
      ),
    ],
  ],
  [
    "C",
    [
      form(
        "connection-closed-user",
        `Connection (?:closed|reset) by (?:authenticating|invalid) user (?<user>.*) ${ADDR}${PORT}$`,
        "attempt",
        { ends: true },
      ),
      form(
        "connection-closed-preauth",
        String.raw`Connection (?:closed|reset) by ${ADDR} \[preauth\]$`,
        "attempt",
        { ends: true },
      ),
    ],
  ],
  [
    "R",
    [
      form("root-login-refused", `ROOT LOGIN REFUSED FROM ${HOST}${PORT}${PREAUTH}$`, "attempt", {
        user: "root",
      }),
      form(
        "read-from-socket-failed",
        `Read from socket failed: Connection reset by peer${PREAUTH}$`,
        "no-identification",
        { source: "session", ends: true },
      ),
    ],
  ],
  [
    "U",
    [
      form(
        "user-not-allowed",
        `User (?<user>.*) from ${HOST}${PORT} not allowed because (?:not listed in AllowUsers|listed in DenyUsers|not in any group|a group is listed in DenyGroups|none of user's groups are listed in AllowGroups)${PREAUTH}$`,
        "attempt",
      ),
      form(
        "account-locked",
        String.raw`User (?<user>\S+) not allowed because account is locked${PREAUTH}$`,
        "attempt",
        { source: "session" },
      ),
      form(
        "unable-to-negotiate",
        String.raw`Unable to negotiate with ${ADDR}${PORT}: no matching ${ALG} found\.`,
        "bad-keyexchange",
      ),
      form("unable-to-negotiate-a", `Unable to negotiate a ${ALG}`, "bad-keyexchange", {
        source: "session",
      }),
    ],
  ],
  [
    "n",
    [
      form("no-matching-alg", `no matching ${ALG} found:`, "bad-keyexchange", {
        source: "session",
      }),
    ],
  ],
  [
    "k",
    [
      form(
        "kex-exchange-identification",
        `kex_exchange_identification: (?:read: )?(?:[Cc]lient sent invalid protocol identifier|[Cc]onnection (?:closed by remote host|reset by peer))`,
        "no-identification",
        { source: "session" },
      ),
    ],
  ],
  [
    "P",
    [
      form(
        "pam-error",
        String.raw`PAM: (?:[Aa]uthentication (?:failure|error)|User not known to the underlying authentication module) for (?:illegal user )?(?<user>.*) from ${HOST}(?: via \S+)?${PREAUTH}\s*$`,
        "pam",
      ),
      form(
        "pam-more-failures",
        String.raw`PAM \d+ more authentication failures?; logname=\S* uid=\d* euid=\d* tty=\S* ruser=\S* rhost=${HOST}(?:\s+user=(?<user>\S*))?\s*$`,
        "summary",
      ),
    ],
  ],
  [
    "A",
    [
      form(
        "authentication-failure",
        String.raw`[Aa]uthentication (?:failure|error|failed) for (?<user>.*) from ${HOST}(?: via \S+)?${PREAUTH}\s*$`,
        "pam",
      ),
    ],
  ],
  [
    "p",
    [
      form(
        "pam-auth-failure",
        String.raw`(?<pam>pam_[a-z_]+)\(sshd:auth\):\s+authentication failure;(?:\s+(?:logname|e?uid|tty)=\S*){0,4}\s+ruser=\S*\s+rhost=${HOST}(?:\s+user=(?<user>\S*))?\s*$`,
        "pam",
      ),
    ],
  ],
  [
    "I",
    [
      form(
        "invalid-user",
        `(?:Invalid|Illegal) user (?<user>.*) from ${HOST}${PORT}${PREAUTH}$`,
        "attempt",
      ),
    ],
  ],
]);

/** `Connection from <ip> port <n> [on <ip> port <n>]`: opens a session, no event. */
export const CONNECTION_FROM = new RegExp(
  String.raw`^Connection from ${ADDR}${PORT}(?: on \S+ port \d+)?(?: rdomain .*)?$`,
  "s",
);

/**
 * `Received disconnect from <ip>[ port <n>]:<code>: <text>` (the client's reason, text it
 * chooses) and the plain closes: they end the session, and resolve a failure it logged
 * without an address.
 */
export const RECEIVED_DISCONNECT = new RegExp(
  // Without a port (OpenSSH < 7.3) a space follows the address's colon.
  String.raw`^Received disconnect from (?:${ADDR} port (?<port>\d{1,5})|(?<bare>[0-9A-Fa-f:.]+)(?=: )):\s*(?<code>\d+):(?<text>.*)$`,
  "s",
);

/** A patched sshd's `SSH: Server;Ltype: Version;Remote: <ip>-<port>;…`: opens a session. */
export const LTYPE_REMOTE = /^SSH: Server;Ltype: \w+;Remote: (?<host>[0-9A-Fa-f:.]+)-\d+;/s;
export const CONNECTION_CLOSED = new RegExp(
  String.raw`^(?:Connection (?:closed|reset) by|Disconnected from) ${ADDR}${PORT}(?<preauth> \[preauth\])?$`,
  "s",
);
