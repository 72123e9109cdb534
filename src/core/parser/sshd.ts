import type { Event } from "../event";
import { isIpToken } from "./program-ip";
import { SSHD_RULES, SSHD_SUCCESS, type SshdRule } from "./sshd-rules";

/**
 * OpenSSH messages (program `sshd` or `sshd-session`) to CrowdSec's fields: hub
 * `crowdsecurity/sshd-logs` (every node, first match wins) and, for program `sshd` only
 * as in the hub, `crowdsecurity/sshd-success-logs`. Messages the hub ignores
 * (`Received disconnect`, `pam_unix(sshd:session)`, `error: maximum authentication
 * attempts exceeded`, …) stay unparsed, so scenarios count exactly what CrowdSec counts.
 *
 * Rules are looked up by the message's first character, after unwrapping rsyslog's
 * `message repeated N times: [ … ]` (one event, as grok matches inside it) and an
 * `error: ` / `fatal: ` / `warning: ` level tag.
 */

const REPEATED = /^message repeated \d+ times: \[ ?(.*)\]$/s;
const LEVELS = ["error: ", "fatal: ", "warning: "];

function body(message: string): string {
  let m = message;
  if (m.startsWith("message repeated ")) {
    const r = REPEATED.exec(m);
    if (r) m = r[1] as string;
  }
  for (const level of LEVELS) if (m.startsWith(level)) return m.slice(level.length);
  return m;
}

const LEADING_SPACE = /^[\t\f\r ]+/;

function applyRule(rule: SshdRule, m: RegExpExecArray, evt: Event): boolean {
  const g = m.groups;
  const ip = g?.sshd_client_ip;
  if (!g || !ip || !isIpToken(ip)) return false;
  const parsed = evt.Parsed;
  for (const k in g) {
    const v = g[k];
    if (v) parsed[k] = v;
  }
  const meta = evt.Meta;
  if (rule.logType) meta.log_type = rule.logType;
  if (rule.extraLogType) meta.extra_log_type = rule.extraLogType;
  if (rule.userMeta) {
    const key = rule.userMeta === "user" ? "sshd_auth_user" : "sshd_invalid_user";
    let user = g[key] ?? "";
    if (rule.trimUser && user !== "") {
      user = user.replace(LEADING_SPACE, "");
      if (user === "") delete parsed[key];
      else parsed[key] = user;
    }
    if (user !== "") meta[rule.userMeta] = user;
  }
  meta.service = "ssh";
  meta.source_ip = ip;
  return true;
}

function tryRules(rules: readonly SshdRule[] | undefined, text: string, evt: Event): boolean {
  if (!rules) return false;
  for (const rule of rules) {
    const m = rule.re.exec(text);
    if (m && applyRule(rule, m, evt)) return true;
  }
  return false;
}

/** Parses an sshd message into `evt`; false (and `evt` untouched) when the hub ignores it. */
export function parseSshd(message: string, evt: Event, withSuccess: boolean): boolean {
  const text = body(message);
  const rules = SSHD_RULES.get(text.charAt(0));
  if (tryRules(rules, text, evt)) return true;
  if (withSuccess && text.startsWith("Accepted ")) {
    const m = SSHD_SUCCESS.re.exec(text);
    return m !== null && applyRule(SSHD_SUCCESS, m, evt);
  }
  return false;
}
