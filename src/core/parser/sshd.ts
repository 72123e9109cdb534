import type { Event } from "../event";
import type { ProgramContext, ProgramVerdict } from "./program-context";
import { isIpToken } from "./program-ip";
import { readSshdForm, readSshdSessionLine } from "./sshd-extra";
import { type FailedLine, readFailed } from "./sshd-failed";
import { SSHD_RULES, SSHD_SUCCESS, type SshdRule } from "./sshd-rules";
import { endSession, remember } from "./sshd-session";

/**
 * OpenSSH messages (program `sshd`, `sshd-session` or `sshd-auth`): first CrowdSec's
 * fields, hub `crowdsecurity/sshd-logs` (every node, first match wins) and, for program
 * `sshd` only as in the hub, `crowdsecurity/sshd-success-logs`; then the forms the hub
 * does not read (sshd-extra.ts), with Palisade's log types. Lines that carry no address
 * are attributed through the session (sshd-session.ts).
 *
 * Rules are looked up by the message's first character, after unwrapping rsyslog's
 * `message repeated N times: [ … ]` (one event, as grok matches inside it), an
 * `error: ` / `fatal: ` / `warning: ` level tag and Solaris' `[ID 800047 auth.info] `.
 */

const REPEATED = /^message repeated \d+ times: \[ ?(.*)\]$/s;
const LEVELS = ["error: ", "fatal: ", "warning: "];
const SOLARIS_ID = /^\[ID \d+ [\w.]+\] /;

interface Body {
  text: string;
  /** `fatal:` ends the sshd process, and so its session. */
  fatal: boolean;
}

function body(message: string): Body {
  let m = message;
  if (m.startsWith("message repeated ")) {
    const r = REPEATED.exec(m);
    if (r) m = r[1] as string;
  }
  if (m.charCodeAt(0) === 91 /* [ */) {
    const id = SOLARIS_ID.exec(m);
    if (id) m = m.slice(id[0].length);
  }
  for (const level of LEVELS) {
    if (m.startsWith(level)) return { text: m.slice(level.length), fatal: level === "fatal: " };
  }
  return { text: m, fatal: false };
}

const LEADING_SPACE = /^[\t\f\r ]+/;

/** Hub nodes after which sshd's process is gone. */
const ENDING_RULES = new Set([
  "SSHD_PREAUTH_AUTHENTICATING_USER",
  "SSHD_PREAUTH_AUTHENTICATING_USER_ALT",
  "SSHD_DISC_PREAUTH",
  "SSHD_AUTH_TIMEOUT",
  "SSHD_BAD_VERSION",
  "SSHD_INVALID_BANNER",
  "SSHD_DISPATCH_FATAL",
  "SSHD_BAD_KEY_NEGOTIATION",
]);

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

/**
 * The hub node that reads `text`, applied to `evt`; a node whose address differs from
 * the structural reading of a `Failed …` line is skipped (the client's text fooled it).
 */
function tryRules(
  rules: readonly SshdRule[] | undefined,
  text: string,
  evt: Event,
  failed: FailedLine | undefined,
): SshdRule | undefined {
  if (!rules) return undefined;
  for (const rule of rules) {
    const m = rule.re.exec(text);
    if (!m) continue;
    if (failed && m.groups?.sshd_client_ip !== failed.host) continue;
    if (applyRule(rule, m, evt)) return rule;
  }
  return undefined;
}

/** The hub's reading of `text` into `evt`, or undefined when no hub node reads it. */
function hubRead(text: string, evt: Event, failed: FailedLine | undefined, withSuccess: boolean) {
  const rule = tryRules(SSHD_RULES.get(text.charAt(0)), text, evt, failed);
  if (rule) return rule;
  if (withSuccess && text.startsWith("Accepted ")) {
    const m = SSHD_SUCCESS.re.exec(text);
    if (m && applyRule(SSHD_SUCCESS, m, evt)) return SSHD_SUCCESS;
  }
  return undefined;
}

/**
 * Parses an sshd message into `evt`: true when it is an event, false (and `evt`
 * untouched) when neither the hub nor Palisade reads it, or the reason it yields none.
 */
export function parseSshd(
  message: string,
  evt: Event,
  ctx: ProgramContext,
  withSuccess: boolean,
): ProgramVerdict {
  const { text, fatal } = body(message);
  const verdict = read(text, evt, ctx, withSuccess);
  if (fatal) endSession(ctx);
  return verdict;
}

function read(text: string, evt: Event, ctx: ProgramContext, withSuccess: boolean): ProgramVerdict {
  let failed: FailedLine | undefined;
  if (text.startsWith("Failed ")) {
    const f = readFailed(text);
    if (f === "ambiguous") return "ambiguous";
    failed = f;
  }
  const rule = hubRead(text, evt, failed?.hostKind === "ip" ? failed : undefined, withSuccess);
  if (rule) {
    const ip = evt.Meta.source_ip as string;
    remember(ctx, ip, evt.Meta.log_type === "ssh_failed-auth");
    if (ENDING_RULES.has(rule.name)) endSession(ctx);
    return true;
  }
  return readSshdForm(text, evt, ctx, failed) ?? readSshdSessionLine(text, evt, ctx);
}
