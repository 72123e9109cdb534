import type { Event } from "../event";
import { put } from "./http-enrich";
import { IP } from "./program-ip";

/**
 * Postfix messages CrowdSec's hub postfix-logs and postscreen-logs do not read, as
 * fail2ban's postfix filter (modes more, auth, ddos, aggressive) knows them. They get
 * the hub's field names where the hub has a node of the same meaning (a queued reject
 * or a milter reject reads like the hub's `NOQUEUE: reject`; a SASL failure with the
 * client's port like the hub's SASL node), and otherwise `Meta.log_type_enh` (smtpd) or
 * `Meta.sub_type` (postscreen), listed below. Every regex is anchored at the start of
 * the message: the client's HELO, addresses and commands come after the address.
 */

const HOST = "[0-9A-Za-z][0-9A-Za-z.-]*";
const RELAY = `(?<remote_host>${HOST})\\[(?<remote_addr>${IP})\\](?::(?<remote_port>\\d+))?`;
const SASL_MECH =
  "(?:[Ll][Oo][Gg][Ii][Nn]|[Pp][Ll][Aa][Ii][Nn]|(?:[Cc][Rr][Aa][Mm]|[Dd][Ii][Gg][Ee][Ss][Tt])-[Mm][Dd]5)";
const ACTIONS = "discard|dunno|filter|hold|ignore|info|prepend|redirect|replace|reject|warn";

export interface PostfixForm {
  re: RegExp;
  /** smtpd's `Meta.log_type_enh`; absent for a reject (`Meta.action` instead). */
  enh?: string;
  reject?: boolean;
}

/** smtpd (`…/smtpd`) forms. */
export const SMTPD_EXTRA: readonly PostfixForm[] = [
  {
    // A queued (not NOQUEUE) or milter reject: the hub only reads NOQUEUE's.
    re: new RegExp(
      `^(?<queue_id>[0-9A-Za-z]+): (?<milter>milter-)?(?<action>${ACTIONS}): (?<command>[A-Z]+) from ${RELAY}: (?<smtp_return_codes>(?<smtp_basic_status_code>[0-9]{3})(?: (?<smtp_enhanced_status_code>[0-9.]+))?) (?<reason>.*)`,
      "s",
    ),
    reject: true,
  },
  {
    re: new RegExp(
      `^warning: ${RELAY}: SASL ${SASL_MECH} authentication failed:(?<message_failure>.*)`,
      "s",
    ),
    enh: "spam-attempt",
  },
  {
    re: new RegExp(`^improper command pipelining after (?<smtp_response>\\S+) from ${RELAY}`, "s"),
    enh: "improper-pipelining",
  },
  {
    re: new RegExp(`^too many errors after (?<smtp_response>\\S+) from ${RELAY}`, "s"),
    enh: "too-many-errors",
  },
  {
    // Postfix >= 3.0's session summary: `auth=0/2` is two failed AUTH commands.
    re: new RegExp(
      `^disconnect from ${RELAY}(?: \\S+=\\d+(?:/\\d+)?)* auth=0/(?<auth_attempts>[1-9]\\d*)(?: |$)`,
      "s",
    ),
    enh: "auth-failed",
  },
];

const CLIENT = `\\[(?<remote_addr>${IP})\\]:(?<port>\\d+)`;

/** postscreen forms: `Meta.sub_type`. */
export const POSTSCREEN_EXTRA: readonly { re: RegExp; kind: string }[] = [
  {
    re: new RegExp(
      `^NOQUEUE: reject: (?<command>[A-Z]+) from ${CLIENT}: (?<smtp_basic_status_code>[0-9]{3}) (?<reason>.*)`,
      "s",
    ),
    kind: "reject",
  },
  { re: new RegExp(`^DNSBL rank (?<rank>\\d+) for ${CLIENT}`, "s"), kind: "dnsbl" },
  { re: new RegExp(`^HANGUP after \\S+ from ${CLIENT}`, "s"), kind: "hangup" },
  {
    re: new RegExp(`^COMMAND (?:TIME|COUNT|LENGTH) LIMIT from ${CLIENT}`, "s"),
    kind: "command-limit",
  },
  {
    re: new RegExp(`^(?:BARE NEWLINE|NON-SMTP COMMAND|COMMAND PIPELINING) from ${CLIENT}`, "s"),
    kind: "protocol-error",
  },
];

/** Copies a match's groups into `evt.Parsed` (empty ones skipped, as grok statics do). */
export function copyGroups(g: Record<string, string | undefined>, evt: Event): void {
  for (const k in g) put(evt.Parsed, k, g[k]);
}
