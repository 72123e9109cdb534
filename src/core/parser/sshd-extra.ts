import type { Event } from "../event";
import type { PendingFailure } from "./parse-state";
import type { ProgramContext, ProgramVerdict } from "./program-context";
import { IP, isIpToken } from "./program-ip";
import type { FailedLine } from "./sshd-failed";
import {
  CONNECTION_CLOSED,
  CONNECTION_FROM,
  KIND_META,
  LTYPE_REMOTE,
  RECEIVED_DISCONNECT,
  SSHD_FORMS,
  type SshdForm,
  type SshdKind,
} from "./sshd-forms";
import { defer, endSession, failuresOf, remember, sessionAddress } from "./sshd-session";
import { hostKind } from "./unparsed-reason";

/**
 * The sshd forms the hub does not read (sshd-forms.ts) into events with Palisade's log
 * types: `ssh_failed-auth` (with `Meta.sub_type` `summary` or `pam` for lines that
 * repeat an attempt sshd logs on its own, `no_auth_methods` for a client that left
 * without trying), `ssh_no_identification`,
 * `ssh_bad_keyexchange`. Fields: `Parsed.sshd_client_ip` (the address),
 * `sshd_invalid_user`, `sshd_port`, `sshd_auth_type`, `sshd_client_host` (the name sshd
 * logged, when it logged one), `sshd_session: attributed` (the address came from the
 * session), `Meta.source_ip`, `target_user`, `service: ssh`.
 */

interface Found {
  kind: SshdKind;
  user?: string;
  port?: string;
  authType?: string;
  ends?: boolean;
}

function fill(evt: Event, ip: string, f: Found, host?: string): void {
  const p = evt.Parsed;
  const meta = evt.Meta;
  const km = KIND_META[f.kind];
  p.sshd_client_ip = ip;
  if (host !== undefined && host !== ip) p.sshd_client_host = host;
  if (f.authType) p.sshd_auth_type = f.authType;
  if (f.port) p.sshd_port = f.port;
  if (f.user) {
    p.sshd_invalid_user = f.user;
    meta.target_user = f.user;
  }
  meta.log_type = km.logType;
  if (km.subType) meta.sub_type = km.subType;
  meta.service = "ssh";
  meta.source_ip = ip;
}

/** An event at `host` (an address, or a name the session can resolve), or the reason not. */
function emitAt(evt: Event, ctx: ProgramContext, host: string, f: Found): ProgramVerdict {
  let ip = host;
  if (hostKind(host) === "hostname") {
    const known = sessionAddress(ctx);
    if (!known) return "hostname";
    ip = known;
    evt.Parsed.sshd_session = "attributed";
  }
  fill(evt, ip, f, host);
  remember(ctx, ip, KIND_META[f.kind].logType === "ssh_failed-auth");
  if (f.ends) endSession(ctx);
  return true;
}

/** An address-less line: the session's address, or kept for the session's next line. */
function emitFromSession(evt: Event, ctx: ProgramContext, text: string, f: Found): ProgramVerdict {
  const ip = sessionAddress(ctx);
  if (ip) {
    evt.Parsed.sshd_session = "attributed";
    fill(evt, ip, f);
    remember(ctx, ip, KIND_META[f.kind].logType === "ssh_failed-auth");
    if (f.ends) endSession(ctx);
    return true;
  }
  const pending: PendingFailure = { kind: f.kind, message: text };
  if (f.user) pending.user = f.user;
  defer(ctx, pending);
  return "no-address";
}

function found(form: SshdForm, g: Record<string, string | undefined>): Found {
  const f: Found = { kind: form.kind };
  const user = form.user ?? g.user;
  if (user) f.user = user;
  if (g.port) f.port = g.port;
  if (form.ends) f.ends = true;
  return f;
}

/** A hub-unread sshd form into `evt`, or undefined when `text` is none of them. */
export function readSshdForm(
  text: string,
  evt: Event,
  ctx: ProgramContext,
  failed: FailedLine | undefined,
): ProgramVerdict | undefined {
  if (failed) {
    const f: Found = { kind: "attempt", authType: failed.method };
    if (failed.user) f.user = failed.user;
    if (failed.port) f.port = failed.port;
    if (failed.protocol) evt.Parsed.sshd_protocol = failed.protocol;
    return emitAt(evt, ctx, failed.host, f);
  }
  const forms = SSHD_FORMS.get(text.charAt(0));
  if (!forms) return undefined;
  for (const form of forms) {
    const m = form.re.exec(text);
    if (!m) continue;
    const g = m.groups ?? {};
    if (form.source === "session") return emitFromSession(evt, ctx, text, found(form, g));
    const host = g.host ?? "";
    if (!hostKind(host)) continue;
    if (g.pam) evt.Parsed.pam_type = g.pam.slice(4);
    return emitAt(evt, ctx, host, found(form, g));
  }
  return undefined;
}

const DISCONNECTED_USER = new RegExp(
  String.raw`^Disconnected from user .* (?:${IP}) port \d+$`,
  "s",
);
const AUTH_FAIL = /: Auth fail(?: \[preauth\])?\s*$/;
const NO_METHODS = /^\s*No (?:supported )?authentication methods available/;

/** A pending failure resolved by this line's address. */
function resolve(evt: Event, ip: string, p: PendingFailure): true {
  const f: Found = { kind: p.kind as SshdKind };
  if (p.user) f.user = p.user;
  fill(evt, ip, f);
  evt.Parsed.sshd_session = "attributed";
  evt.Parsed.sshd_pending_message = p.message;
  return true;
}

/**
 * Lines that are no event by themselves but carry the session's address: `Connection
 * from`, the closes, `Received disconnect` (an event when the client reports failed
 * authentication, or when it leaves a session that failed).
 */
export function readSshdSessionLine(text: string, evt: Event, ctx: ProgramContext): ProgramVerdict {
  const from = (CONNECTION_FROM.exec(text) ?? LTYPE_REMOTE.exec(text))?.groups;
  if (from?.host && isIpToken(from.host)) {
    const pending = remember(ctx, from.host, false);
    return pending ? resolve(evt, from.host, pending) : false;
  }
  const rd = RECEIVED_DISCONNECT.exec(text)?.groups;
  const rdHost = rd?.host ?? rd?.bare;
  if (rd && rdHost && isIpToken(rdHost)) return receivedDisconnect(evt, ctx, rd, rdHost);
  const closed = CONNECTION_CLOSED.exec(text)?.groups;
  if (closed?.host) {
    const pending = remember(ctx, closed.host, false);
    endSession(ctx);
    return pending ? resolve(evt, closed.host, pending) : false;
  }
  if (DISCONNECTED_USER.test(text)) endSession(ctx);
  return false;
}

function receivedDisconnect(
  evt: Event,
  ctx: ProgramContext,
  g: Record<string, string | undefined>,
  ip: string,
): ProgramVerdict {
  const failures = sessionAddress(ctx) === ip ? failuresOf(ctx) : 0;
  const pending = remember(ctx, ip, false);
  endSession(ctx);
  if (pending) return resolve(evt, ip, pending);
  const code = g.code;
  const why = g.text ?? "";
  let f: Found | undefined;
  if (code === "3" && AUTH_FAIL.test(why)) f = { kind: "summary" };
  else if (code === "14" && NO_METHODS.test(why)) f = { kind: "no-auth-methods" };
  else if (code === "11" && why.endsWith("[preauth]") && failures > 0) f = { kind: "summary" };
  if (!f) return false;
  if (g.port) f.port = g.port;
  fill(evt, ip, f);
  return true;
}
