import type { Event } from "../event";
import { put } from "./http-enrich";
import { IP, isIpToken } from "./program-ip";
import { agreedReading } from "./readings";
import { hostKind, type Refused, refuse } from "./unparsed-reason";

/**
 * nginx error lines: `[fqdn ]YYYY/MM/DD HH:MM:SS [level] pid#tid: [*cid ]<message>,
 * client: <ip>, server: <name>[, request: "…"][, subrequest: "…"][, upstream: "…"][,
 * host: "…"][, referrer: "…"]` (ngx_http_log_error). The client's text sits on both sides
 * of `client:`: in the message (a user name, a path) and after it (the request, the
 * Referer, free text that comes last). CrowdSec's grok takes the last `, client: ` that
 * fits, which a Referer holding `", client: 6.6.6.6, server: …` moves to 6.6.6.6.
 *
 * Palisade reads every `, client: <ip>, server: ` followed by fields in nginx's order up
 * to the end of the line (a quote inside a field is allowed unless it starts nginx's
 * next field, the Referer runs to the end). When the message before a reading has the
 * wording of one of nginx's messages (MESSAGES), readings whose message does not are
 * dropped: a Basic-auth user name cannot hold a colon, so `, client: …, server: …` is
 * never part of one. One reading, or several of the same address: that address.
 * Readings of different addresses (a Referer crafted to end a copy of the message and
 * start a second client field): the line is ambiguous and makes no event, whichever one
 * a regex would have preferred.
 */

const VALUE = `"(?:[^"]|"(?!, (?:subrequest|upstream|host|referrer): "|$))*"`;
const TAIL = new RegExp(
  `, client: (${IP}|[0-9A-Za-z.-]+), server: ([^,]*)` +
    `(?:, request: (${VALUE}))?(?:, subrequest: ${VALUE})?(?:, upstream: ${VALUE})?` +
    `(?:, host: (${VALUE}))?(?:, referrer: ".*")?$`,
  "ys",
);
const CLIENT = ", client: ";

export interface NginxReading {
  /** Index of `, client: ` in the message. */
  at: number;
  client: string;
  server: string;
  request?: string;
  host?: string;
}

function readingAt(msg: string, at: number): NginxReading | undefined {
  TAIL.lastIndex = at;
  const m = TAIL.exec(msg);
  if (!m) return undefined;
  const r: NginxReading = { at, client: m[1] as string, server: m[2] as string };
  if (m[3] !== undefined) r.request = m[3].slice(1, -1);
  if (m[4] !== undefined) r.host = m[4].slice(1, -1);
  return r;
}

/** The reading of `msg`'s client, `"ambiguous"`, or undefined when there is none. */
export function nginxClient(msg: string): NginxReading | "ambiguous" | undefined {
  const start = HEAD.exec(msg)?.[0].length ?? 0;
  const worded = (r: NginxReading) => MESSAGES.some((re) => re.test(msg.slice(start, r.at)));
  let all = 0;
  let fit = 0;
  for (let at = msg.indexOf(CLIENT); at >= 0 && all < 16; at = msg.indexOf(CLIENT, at + 1)) {
    const r = readingAt(msg, at);
    if (!r) continue;
    all++;
    if (worded(r)) fit++;
  }
  return agreedReading(
    msg,
    CLIENT,
    (at) => {
      const r = readingAt(msg, at);
      return r && (fit === 0 || worded(r)) ? r : undefined;
    },
    (r) => r.client,
  );
}

/** nginx's own messages that can precede `, client: ` (the client's text as `[^:]*`, `.*`). */
const MESSAGES: readonly RegExp[] = [
  /^user "[^:]*"(?: was not found in "[^"]*"|: password mismatch)$/s,
  /^no user\/password was provided for basic authentication$/,
  /^limiting (?:requests, excess: [\d.]+ by zone "[^"]*"|connections by zone "[^"]*")$/,
  /^(?:open\(\) )?".*" (?:is not found|failed) \(\d+: [A-Za-z ]+\)$/s,
  /^(?:access forbidden by rule|directory index of ".*" is forbidden)$/s,
  /^client sent [a-zA-Z ]+(?: while [a-z ]+)?$/,
];

/** True when the line holds `, client: ` more than once (only then can readings differ). */
export function repeatsClient(msg: string): boolean {
  const i = msg.indexOf(CLIENT);
  return i >= 0 && msg.indexOf(CLIENT, i + 1) >= 0;
}

const HEAD =
  /^(?:(?<fqdn>[0-9A-Za-z.:-]+) )?(?:(?<time>\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}) )?\[(?<loglevel>[a-z]+)\] (?<pid>\d+)#(?<tid>\d+): (?:\*(?<cid>\d+) )?/;
const REQUEST = /^([A-Z]+) (\S+?)(?: HTTP\/(\d(?:\.\d)?))?$/s;
const USER_FAIL = /^user "(.*)"(?: was not found in "[^"]*"|: password mismatch)$/s;

/**
 * An nginx error line CrowdSec's grok does not read (no `request:` or `host:` field, a
 * line without the date as journald or syslog may carry it): its time text ("" without
 * a date), a refusal, or null when it is no nginx error line with a client.
 */
export function nginxErrorS01(evt: Event, msg: string): string | null | Refused {
  const head = HEAD.exec(msg);
  if (!head?.groups) return null;
  const reading = nginxClient(msg);
  if (reading === "ambiguous") return refuse("ambiguous");
  if (!reading) return null;
  if (!isIpToken(reading.client)) {
    return hostKind(reading.client) === "hostname" ? refuse("hostname") : null;
  }
  const g = head.groups;
  const p = evt.Parsed;
  for (const k of ["time", "loglevel", "pid", "tid", "cid"] as const) put(p, k, g[k]);
  const message = msg.slice(head[0].length, reading.at);
  p.message = message;
  p.remote_addr = reading.client;
  put(p, "target_fqdn", reading.server || g.fqdn);
  const req = REQUEST.exec(reading.request ?? "");
  if (req) {
    p.verb = req[1] as string;
    p.request = req[2] as string;
    put(p, "http_version", req[3]);
  }
  const meta = evt.Meta;
  meta.log_type = "http_error-log";
  meta.service = "http";
  meta.source_ip = reading.client;
  put(meta, "http_path", p.request);
  put(meta, "http_verb", p.verb);
  put(meta, "target_fqdn", p.target_fqdn);
  const user = USER_FAIL.exec(message);
  if (user) {
    p.username = user[1] as string;
    meta.sub_type = "auth_fail";
    put(meta, "username", p.username);
  } else if (message.startsWith("limiting requests, excess: ")) {
    meta.sub_type = "req_limit_exceeded";
  }
  return g.time ?? "";
}
