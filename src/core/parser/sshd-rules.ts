import { ipGroup } from "./program-ip";

/**
 * The nodes of CrowdSec's `crowdsecurity/sshd-logs` and `sshd-success-logs` parsers as
 * native regexes. Group names are the grok capture names, so `evt.Parsed` carries the
 * same keys; `logType` and `userMeta` are the node's statics (`meta.log_type`,
 * `meta.target_user` from `sshd_invalid_user`, or `meta.user` for successes).
 *
 * Where an attacker controls text (user names, banners, reverse DNS names), the regex is
 * anchored at the start of the message and, after the attacker's text, at its end, so
 * the address taken is always the one sshd wrote last, never one spelled inside a user
 * name (`Invalid user x from 6.6.6.6 port 22 from 1.2.3.4 port 40000` is 1.2.3.4; grok's
 * unanchored patterns say 6.6.6.6). Deliberate differences from the hub, all on lines
 * no well-behaved client produces:
 * - user names may be empty or hold spaces and any character (grok's USERNAME is
 *   `[a-zA-Z0-9._-]+`), so `Failed password for invalid user  from IP …` parses;
 * - `rhost=1.2.3.4.evil.example` (a host name) is not read as 1.2.3.4;
 * - octets with leading zeros or above 255 are not addresses.
 */

export interface SshdRule {
  /** Hub node name (grok pattern name), for debugging and tests. */
  name: string;
  re: RegExp;
  logType?: string;
  /** `meta.extra_log_type` (banner exchange). */
  extraLogType?: string;
  /** Which Meta key receives the user group: target_user (failures) or user (successes). */
  userMeta?: "target_user" | "user";
  /** Trim the leading whitespace grok's `\s*` would have eaten before the user. */
  trimUser?: boolean;
}

const FAILED = "ssh_failed-auth";
const CLIENT = ipGroup("sshd_client_ip");

function rule(name: string, source: string, extra: Omit<SshdRule, "name" | "re"> = {}): SshdRule {
  return { name, re: new RegExp(`^${source}`, "s"), ...extra };
}

const failed = { logType: FAILED, userMeta: "target_user" } as const;

/** Rules by the first character of the message, in hub order within each bucket. */
export const SSHD_RULES: ReadonlyMap<string, readonly SshdRule[]> = new Map([
  [
    "F",
    [
      rule(
        "SSHD_FAIL",
        String.raw`Failed (?<sshd_auth_type>\w+) for (?<sshd_invalid_user>\S+) from ${CLIENT} port (?<sshd_port>\d+) (?<sshd_protocol>\w+)`,
        failed,
      ),
      rule(
        "SSHD_INVALID_USER_ALT",
        String.raw`Failed keyboard-interactive/pam for invalid user (?<sshd_invalid_user>.*) from ${CLIENT}(?: port \d+)?(?: \w+)?$`,
        failed,
      ),
      rule(
        "SSHD_USER_FAIL",
        String.raw`Failed password for invalid user (?<sshd_invalid_user>.*) from ${CLIENT} port (?<sshd_port>\d+) (?<sshd_protocol>\w+)$`,
        failed,
      ),
    ],
  ],
  [
    "I",
    [
      rule(
        "SSHD_INVALID_USER",
        String.raw`Invalid user (?<sshd_invalid_user>.*) from ${CLIENT}(?: port \d+)?(?: \[preauth\])?$`,
        { ...failed, trimUser: true },
      ),
    ],
  ],
  [
    "p",
    [
      rule(
        "SSHD_AUTH_FAIL",
        String.raw`pam_(?<pam_type>.*?)\(sshd:auth\): authentication failure; logname= uid=(?<uid>\d*) euid=(?<euid>\d*) tty=ssh ruser= rhost=${CLIENT}(?:\s+user=(?<sshd_invalid_user>.*)|\s*)$`,
        failed,
      ),
    ],
  ],
  [
    "C",
    [
      rule(
        "SSHD_PREAUTH_AUTHENTICATING_USER",
        String.raw`Connection (?:closed|reset) by(?: (?:authenticating|invalid) user (?<sshd_invalid_user>.*))? ${CLIENT} port \d+ \[preauth\]`,
        failed,
      ),
    ],
  ],
  [
    "D",
    [
      rule(
        "SSHD_PREAUTH_AUTHENTICATING_USER_ALT",
        String.raw`Disconnected from (?:authenticating|invalid) user (?<sshd_invalid_user>.*) ${CLIENT} port \d+ \[preauth\]`,
        failed,
      ),
      // No statics in the hub: the line parses, with no log_type.
      rule(
        "SSHD_DISC_PREAUTH",
        String.raw`Disconnected from ${CLIENT} port (?<sshd_port>\d+)\s*(?:\[(?<sshd_privsep>.*)\]|)`,
      ),
    ],
  ],
  [
    "U",
    [
      rule(
        "SSHD_NOT_ALLOWED_USER",
        String.raw`User (?<sshd_invalid_user>.*) from ${CLIENT}(?: port \d+)? not allowed because not listed in AllowUsers`,
        failed,
      ),
      rule(
        "SSHD_BAD_KEY_NEGOTIATION",
        String.raw`Unable to negotiate with ${CLIENT} port \d+: no matching (?:host key type|key exchange method|MAC) found.`,
        { logType: "ssh_bad_keyexchange" },
      ),
    ],
  ],
  [
    "B",
    [
      // No statics in the hub: parsed without log_type.
      rule("SSHD_BAD_VERSION", `Bad protocol version identification '.*' from ${CLIENT}`),
    ],
  ],
  [
    "b",
    [
      rule(
        "SSHD_INVALID_BANNER",
        String.raw`banner exchange: Connection from ${CLIENT} port \d+: invalid format`,
        { logType: FAILED, extraLogType: "ssh_bad_banner" },
      ),
    ],
  ],
  [
    "M",
    [
      rule(
        "SSHD_MAGIC_VALUE_FAILED",
        String.raw`Magic value check failed \(\d+\) on obfuscated handshake from ${CLIENT} port \d+`,
        failed,
      ),
    ],
  ],
  [
    "T",
    [
      rule(
        "SSHD_AUTH_TIMEOUT",
        String.raw`Timeout before authentication for ${CLIENT}(?: port \d+)?`,
        {
          logType: "ssh_auth_timeout",
        },
      ),
    ],
  ],
  [
    "s",
    [
      rule(
        "SSHD_DISPATCH_FATAL",
        String.raw`ssh_dispatch_run_fatal: Connection from ${CLIENT}(?: port \d+)?: message authentication code incorrect \[preauth\]`,
        { logType: "ssh_dispatch_fatal" },
      ),
    ],
  ],
  [
    "r",
    [
      rule("SSHD_REFUSED_CONN", String.raw`refused connect from.*\((?:::ffff:)?${CLIENT}\)`, {
        logType: "ssh_refused_conn",
      }),
    ],
  ],
]);

/** `crowdsecurity/sshd-success-logs` (filtered on program `sshd` only, as in the hub). */
export const SSHD_SUCCESS: SshdRule = rule(
  "SSHD_SUCCESS",
  String.raw`Accepted (?:publickey|password) for (?<sshd_auth_user>\S+) from ${CLIENT} port (?<sshd_client_port>\d+) ssh2(?<sshd_trail>.*)$`,
  { logType: "auth_success", userMeta: "user" },
);
