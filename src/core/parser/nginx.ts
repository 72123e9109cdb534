import type { Event } from "../event";
import { accessMeta, put } from "./http-enrich";
import { ahead, c, GrokMatcher, GrokSearch, grok, raw } from "./http-grok";
import {
  DATA,
  GREEDYDATA,
  HOUR,
  HTTPDATE,
  INT,
  IPORHOST,
  LOGLEVEL,
  MINUTE,
  MONTHNUM2,
  NGCUSTOMUSER,
  NONNEGINT,
  NOTDQUOTE,
  NUMBER,
  SECOND,
  URIPARAM,
  WORD,
  YEAR,
} from "./http-patterns";

/** crowdsecurity/nginx-logs (s01): its six grok nodes in order, first match wins. */

const NGUSER = raw("[a-zA-Z\\.\\@\\-\\+_%]+");
const NGINXERRTIME = grok`${YEAR}/${MONTHNUM2}/${raw("\\d{2}")} ${HOUR}:${MINUTE}:${SECOND}`;
const NGCUSTOMURIPATH = raw("(?:/[A-Za-z0-9$.+!*'\\(\\)\\{\\},~:;=@\\#%&_\\-]*)+");
const NGCUSTOMURIPATHPARAM = grok`${NGCUSTOMURIPATH}(?:${URIPARAM})?`;
const NPMPLUSFQDN = grok`${IPORHOST}||${DATA}`;
const NGCACHESTATUS = raw("HIT|MISS|BYPASS|EXPIRED|STALE|UPDATING|REVALIDATED|-");
const NUM_OR_DASH = raw("-|\\d*");
const NO_DOUBLE_QUOTE = raw('[^"]+');

// A vhost prefix is a token followed by the client address and " - ".
const VHOST_AHEAD = ahead("[^ ]+ [0-9A-Za-z:][^ ]* - ");

// Where a match can start, and what it must contain: prunes the unanchored search.
const HOST_LEAD = /[0-9A-Za-z:]/;
const ACCESS_OPTS = { lead: HOST_LEAD, needs: [" - ", '] "'] };
const NPM_OPTS = { guarded: true, lead: /\[/, needs: ["] ", ' "'] };

const UPSTREAM = grok`(?: ${c("request_length", NUMBER)} ${c("request_time", NUMBER)} \[${c("proxy_upstream_name", DATA)}\] \[${c("proxy_alternative_upstream_name", DATA)}\])?`;
const REFERER_UA = grok`"${c("http_referer", NOTDQUOTE)}" "${c("http_user_agent", NOTDQUOTE)}"`;

const ACCESS = new GrokMatcher(
  grok`(?:${VHOST_AHEAD}${c("target_fqdn", IPORHOST)}(?::${c("port", INT)})? )?${c("remote_addr", IPORHOST)} - (?:${c("remote_user", NGCUSTOMUSER)} )?\[${c("time_local", HTTPDATE)}\] "${c("verb", WORD)} ${c("request", DATA)} HTTP/${c("http_version", NUMBER)}" ${c("status", NUMBER)} ${c("body_bytes_sent", NUMBER)} ${REFERER_UA}${UPSTREAM}`,
  ACCESS_OPTS,
);

// The access grok's fields, written by name into one object literal: the hot path
// builds the event's field map in one allocation instead of storing through computed
// keys. The event holds only message and program yet: the literal becomes its map.
const ACCESS_FIELDS = [
  "target_fqdn",
  "port",
  "remote_addr",
  "remote_user",
  "time_local",
  "verb",
  "request",
  "http_version",
  "status",
  "body_bytes_sent",
  "http_referer",
  "http_user_agent",
  "request_length",
  "request_time",
  "proxy_upstream_name",
  "proxy_alternative_upstream_name",
] as const;
ACCESS.expect(ACCESS_FIELDS);
const [FQDN, PORT, ADDR, USR, TIME, VERB, REQ, VER, STATUS, BYTES, REF, UA, RLEN, RTIME, UP, ALT] =
  ACCESS_FIELDS.map((n) => ACCESS.slot(n)) as number[];

function fillAccess(m: RegExpExecArray, evt: Event): string {
  const fqdn = m[FQDN as number] ?? "";
  const addr = m[ADDR as number] ?? "";
  const time = m[TIME as number] ?? "";
  const verb = m[VERB as number] ?? "";
  const request = m[REQ as number] ?? "";
  const status = m[STATUS as number] ?? "";
  const ua = m[UA as number] ?? "";
  const p: Record<string, string> = {
    message: evt.Parsed.message ?? "",
    program: evt.Parsed.program ?? "",
    target_fqdn: fqdn,
    port: m[PORT as number] ?? "",
    remote_addr: addr,
    remote_user: m[USR as number] ?? "",
    time_local: time,
    verb,
    request,
    http_version: m[VER as number] ?? "",
    status,
    body_bytes_sent: m[BYTES as number] ?? "",
    http_referer: m[REF as number] ?? "",
    http_user_agent: ua,
    request_length: m[RLEN as number] ?? "",
    request_time: m[RTIME as number] ?? "",
    proxy_upstream_name: m[UP as number] ?? "",
    proxy_alternative_upstream_name: m[ALT as number] ?? "",
    // set by http-logs for every event; declared here so the map is built in one go
    impact_completion: "",
    static_ressource: "",
  };
  evt.Parsed = p;
  accessMeta(evt.Meta, addr, status, request, verb, ua, fqdn);
  return time;
}

const ERROR = new GrokMatcher(
  grok`(?:${c("target_fqdn", IPORHOST)} )?${c("time", NGINXERRTIME)} \[${c("loglevel", LOGLEVEL)}\] ${c("pid", NONNEGINT)}#${c("tid", NONNEGINT)}: (?:\*${c("cid", NONNEGINT)} )?${c("message", GREEDYDATA)}, client: ${c("remote_addr", IPORHOST)}, server: ${c("target_fqdn", DATA)}, request: "${c("verb", WORD)} (?:[^/]+)?${c("request", NGCUSTOMURIPATHPARAM)}(?: HTTP/${c("http_version", NUMBER)})?", host: "${IPORHOST}(?::${NONNEGINT})?"`,
  { guarded: true, lead: HOST_LEAD, needs: [", client: ", ', request: "'] },
);

const MALFORMED = new GrokMatcher(
  grok`(?:${VHOST_AHEAD}${c("target_fqdn", IPORHOST)} )?${c("remote_addr", IPORHOST)} - (?:${c("remote_user", NGUSER)})? \[${c("time_local", HTTPDATE)}\] "${c("request", DATA)}" ${c("status", NUMBER)} ${c("body_bytes_sent", NUMBER)} ${REFERER_UA}${UPSTREAM}`,
  ACCESS_OPTS,
);

const NPM_HEAD = grok`\[${c("time_local", HTTPDATE)}\] ${c("target_fqdn", NPMPLUSFQDN)} ${c("remote_addr", IPORHOST)} ${c("request_time", NUMBER)} `;
const NPM_TAIL = grok` ${c("status", NUMBER)} ${c("body_bytes_sent", NUMBER)} ${c("bytes_sent", NUMBER)} ${c("http_referer", DATA)} ${c("http_user_agent", GREEDYDATA)}`;

const NPM = new GrokMatcher(
  grok`${NPM_HEAD}"${c("verb", WORD)} ${c("request", DATA)} HTTP/${c("http_version", NUMBER)}"${NPM_TAIL}`,
  NPM_OPTS,
);

const NPM_MALFORMED = new GrokMatcher(
  grok`${NPM_HEAD}"${c("request", DATA)}"${NPM_TAIL}`,
  NPM_OPTS,
);

const NPM_PROXY = new GrokMatcher(
  grok`\[${c("time_local", HTTPDATE)}\](?: ${c("upstream_cache_status", NGCACHESTATUS)} ${c("upstream_status", NUM_OR_DASH)})? ${c("status", NUMBER)} - ${c("verb", WORD)} ${c("scheme", WORD)} ${c("target_fqdn", IPORHOST)} "${c("request", NOTDQUOTE)}" \[Client ${c("remote_addr", IPORHOST)}\] \[Length ${c("body_bytes_sent", NUMBER)}\] \[Gzip ${c("gzip_ratio", DATA)}\](?: \[Sent-to ${c("target_server", DATA)}\])? "${c("http_user_agent", NOTDQUOTE)}" "${c("http_referer", NOTDQUOTE)}"`,
  { guarded: true, lead: /\[/, needs: ["[Client ", "[Gzip "] },
);

const USER_NOT_FOUND = new GrokSearch(
  grok`user "${c("username", NO_DOUBLE_QUOTE)}" was not found in "${NO_DOUBLE_QUOTE}"`,
);
const PASSWORD_MISMATCH = new GrokSearch(
  grok`user "${c("username", NO_DOUBLE_QUOTE)}": password mismatch`,
);

/** The error node's sub-nodes: first one that succeeds sets `sub_type`. */
function errorSubtype(evt: Event): void {
  const msg = evt.Parsed.message ?? "";
  for (const [needle, search] of [
    ["was not found in", USER_NOT_FOUND],
    ["password mismatch", PASSWORD_MISMATCH],
  ] as const) {
    if (!msg.includes(needle)) continue;
    const m = search.exec(msg);
    if (!m) continue;
    search.assign(m, evt.Parsed);
    evt.Meta.sub_type = "auth_fail";
    put(evt.Meta, "username", evt.Parsed.username);
    return;
  }
  if (msg.includes("limiting requests, excess")) evt.Meta.sub_type = "req_limit_exceeded";
}

const NODES: readonly { grok: GrokMatcher; logType: string; time: string }[] = [
  { grok: ERROR, logType: "http_error-log", time: "time" },
  { grok: MALFORMED, logType: "http_access-log", time: "time_local" },
  { grok: NPM, logType: "http_access-log", time: "time_local" },
  { grok: NPM_MALFORMED, logType: "http_access-log", time: "time_local" },
  { grok: NPM_PROXY, logType: "http_access-log", time: "time_local" },
];

/** Runs the nginx s01 nodes on `evt.Parsed.message`; returns StrTime, or null when none matched. */
export function nginxS01(evt: Event): string | null {
  const p = evt.Parsed;
  const msg = p.message ?? "";
  const access = ACCESS.exec(msg);
  if (access) return fillAccess(access, evt);
  for (const node of NODES) {
    const m = node.grok.exec(msg);
    if (!m) continue;
    node.grok.assign(m, p);
    const meta = evt.Meta;
    meta.log_type = node.logType;
    if (node.grok === ERROR) errorSubtype(evt);
    meta.service = "http";
    put(meta, "source_ip", p.remote_addr);
    put(meta, "http_status", p.status);
    put(meta, "http_path", p.request);
    put(meta, "http_verb", p.verb);
    put(meta, "http_user_agent", p.http_user_agent);
    put(meta, "target_fqdn", p.target_fqdn);
    return p[node.time] ?? "";
  }
  return null;
}
