import type { Event } from "../event";
import { copyGroups, POSTSCREEN_EXTRA, SMTPD_EXTRA } from "./postfix-extra";
import { IP, isIpToken } from "./program-ip";

/**
 * Postfix to CrowdSec's fields: hub `crowdsecurity/postfix-logs` (program ending in
 * `/smtpd`) and `crowdsecurity/postscreen-logs` (`postfix/postscreen`). Nodes, first
 * match wins: lost connection and SASL failures (`meta.log_type_enh: spam-attempt`),
 * non-SMTP commands (`non-smtp-command`), and `NOQUEUE: <action>:` rejects (`meta.action`;
 * `meta.reason` such as `Relay access denied` or `Helo command rejected: …` when the
 * reason has the `<addr>: reason; k=v …` shape, the k=v pairs going to
 * `evt.Unmarshaled.postfix` as ParseKV does). These are the fields the hub scenarios
 * postfix-spam, postfix-relay-denied, postfix-helo-rejected, postfix-non-smtp-command and
 * postscreen-rbl filter on. Patterns are anchored at the message start: the client's HELO
 * and addresses come later in the line and cannot pose as an earlier node's text.
 */

const HOST = "[0-9A-Za-z][0-9A-Za-z.-]*";
const RELAY = `(?<remote_host>${HOST})(?:\\[(?<remote_addr>${IP})\\](?::[0-9]+(?:.[0-9]+)?)?)?`;
const BRACKETED = `(?<remote_host>${HOST})\\[(?<remote_addr>${IP})\\]`;

/** Case-insensitive literal, for grok's `(?i)` that JS regexes cannot switch on inline. */
function ci(word: string): string {
  return word.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
}

interface PostfixRule {
  re: RegExp;
  logTypeEnh?: string;
  noqueue?: boolean;
}

const SASL_MECH = `(?:${ci("LOGIN")}|${ci("PLAIN")}|(?:${ci("CRAM")}|${ci("DIGEST")})-${ci("MD5")})`;
const ACTIONS = "discard|dunno|filter|hold|ignore|info|prepend|redirect|replace|reject|warn";

const SMTPD_RULES: readonly PostfixRule[] = [
  {
    re: new RegExp(`^lost connection after (?<smtp_response>.*?) from ${RELAY}`, "s"),
    logTypeEnh: "spam-attempt",
  },
  {
    re: new RegExp(
      `^warning: ${BRACKETED}: SASL ${SASL_MECH} authentication failed:(?<message_failure>.*)`,
      "s",
    ),
    logTypeEnh: "spam-attempt",
  },
  {
    re: new RegExp(`^warning: non-SMTP command from ${BRACKETED}: (?<command>.*)`, "s"),
    logTypeEnh: "non-smtp-command",
  },
  {
    re: new RegExp(
      `^NOQUEUE: (?<action>${ACTIONS}): (?<command>.*?) from ${RELAY}: (?<smtp_return_codes>(?<smtp_basic_status_code>[0-9]{3})(?: (?<smtp_enhanced_status_code>[0-9.]+))?) (?<reason>.*)`,
      "s",
    ),
    noqueue: true,
  },
];

const KV = /([^=\s]+)=(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^=\s]+)|\s*)/g;

/** CrowdSec's ParseKV: `k=v k2="quoted"` pairs into a map, or undefined when there are none. */
export function parseKv(blob: string): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const m of blob.matchAll(KV)) {
    out ??= {};
    out[m[1] as string] = m[2] || m[3] || "";
  }
  return out;
}

/** The child node: `<addr>: reason; k=v …` (lazy addr, greedy reason, as grok does). */
function noqueueReason(evt: Event, reason: string): void {
  if (reason === "Service unavailable") return;
  const open = reason.indexOf("<");
  const close = open < 0 ? -1 : reason.indexOf(">: ", open + 1);
  if (close < 0) return;
  const rest = reason.slice(close + 3);
  const semi = rest.lastIndexOf("; ");
  if (semi < 0) return;
  const p = evt.Parsed;
  const helo = reason.slice(open + 1, close);
  const why = rest.slice(0, semi);
  const kvItems = rest.slice(semi + 2);
  if (helo) p.helo = helo;
  if (why) p.reason = why;
  else delete p.reason;
  if (kvItems) p.kvItems = kvItems;
  const kv = parseKv(kvItems);
  if (kv) evt.Unmarshaled.postfix = kv;
  if (why) evt.Meta.reason = why;
}

function applyGroups(g: Record<string, string | undefined>, evt: Event): boolean {
  const addr = g.remote_addr;
  if (addr && !isIpToken(addr)) return false;
  for (const k in g) {
    const v = g[k];
    if (v) evt.Parsed[k] = v;
  }
  return true;
}

function finish(evt: Event, service: string, g: Record<string, string | undefined>): void {
  const meta = evt.Meta;
  meta.service = service;
  if (g.remote_addr) meta.source_ip = g.remote_addr;
  if (service === "postfix") {
    if (g.remote_host) meta.source_hostname = g.remote_host;
    meta.log_type = "postfix";
  }
}

/** `postfix/smtpd` (or any `…/smtpd`) messages: the hub's nodes, then Palisade's forms. */
export function parsePostfixSmtpd(message: string, evt: Event): boolean {
  for (const rule of SMTPD_RULES) {
    const g = rule.re.exec(message)?.groups;
    if (!g || !applyGroups(g, evt)) continue;
    if (rule.logTypeEnh) evt.Meta.log_type_enh = rule.logTypeEnh;
    if (rule.noqueue) {
      if (g.action) evt.Meta.action = g.action;
      noqueueReason(evt, g.reason ?? "");
    }
    finish(evt, "postfix", g);
    return true;
  }
  for (const form of SMTPD_EXTRA) {
    const g = form.re.exec(message)?.groups;
    if (!g?.remote_addr || !isIpToken(g.remote_addr)) continue;
    copyGroups(g, evt);
    if (form.enh) evt.Meta.log_type_enh = form.enh;
    if (form.reject) {
      if (g.action) evt.Meta.action = g.action;
      noqueueReason(evt, g.reason ?? "");
    }
    finish(evt, "postfix", g);
    return true;
  }
  return false;
}

const PREGREET = new RegExp(
  `^(?<pregreet>PREGREET) (?<count>[+-]?\\d+) after (?<time_attempt>\\d+(?:.\\d+)?) from \\[(?<remote_addr>${IP})\\]:(?<port>[+-]?\\d+): (?<message_attempt>.*)`,
  "s",
);

/**
 * `postfix/postscreen` PREGREET lines (hub postscreen-logs; scenario postscreen-rbl),
 * then Palisade's: rejects, DNSBL ranks, hangups, command limits and protocol errors,
 * with `Meta.sub_type`.
 */
export function parsePostscreen(message: string, evt: Event): boolean {
  const g = PREGREET.exec(message)?.groups;
  if (g && applyGroups(g, evt)) {
    finish(evt, "postscreen", g);
    evt.Meta.pregreet = "PREGREET";
    return true;
  }
  for (const form of POSTSCREEN_EXTRA) {
    const x = form.re.exec(message)?.groups;
    if (!x?.remote_addr || !isIpToken(x.remote_addr)) continue;
    copyGroups(x, evt);
    finish(evt, "postscreen", x);
    evt.Meta.sub_type = form.kind;
    return true;
  }
  return false;
}
