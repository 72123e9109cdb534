import type { Event } from "../event";
import { apacheAuthFailure } from "./apache-auth";
import { accessMeta, put } from "./http-enrich";
import { ahead, c, GrokMatcher, type GrokPiece, GrokSearch, grok } from "./http-grok";
import {
  DATA,
  GREEDYDATA,
  HTTPDATE,
  HTTPDERROR_DATE,
  HTTPDUSER,
  INT,
  IPORHOST,
  LOGLEVEL,
  NOTDQUOTE,
  NOTSPACE,
  NUMBER,
  POSINT,
  USER,
  WORD,
} from "./http-patterns";

/** crowdsecurity/apache2-logs (s01): the access grok, then the error-log grok and its sub-nodes. */

const COMMONAPACHELOG = grok`${c("clientip", IPORHOST)} ${c("ident", HTTPDUSER)} ${c("auth", USER)} \[${c("timestamp", HTTPDATE)}\] "(?:${c("verb", WORD)} ${c("request", NOTSPACE)}(?: HTTP/${c("httpversion", NUMBER)})?|${c("rawrequest", DATA)})" ${c("response", NUMBER)} (?:${c("bytes", NUMBER)}|-)`;

// A vhost prefix is a token followed by the client, ident and auth tokens, then "[".
const VHOST_AHEAD = ahead("[^ ]+ [0-9A-Za-z:][^ ]* [^ ]+ [^ ]+ \\[");

const ACCESS = new GrokMatcher(
  grok`(?:${VHOST_AHEAD}${c("target_fqdn", IPORHOST)}(?::${c("port", INT)})? )?${COMMONAPACHELOG}(?: "${c("referrer", NOTDQUOTE)}" "${c("http_user_agent", NOTDQUOTE)}")?`,
  { lead: /[0-9A-Za-z:]/, needs: ['] "'] },
);

// The access grok's fields, written by name into one object literal: the hot path
// builds the event's field map in one allocation instead of storing through computed
// keys. The event holds only message and program yet: the literal becomes its map.
const ACCESS_FIELDS = [
  "target_fqdn",
  "port",
  "clientip",
  "ident",
  "auth",
  "timestamp",
  "verb",
  "request",
  "httpversion",
  "rawrequest",
  "response",
  "bytes",
  "referrer",
  "http_user_agent",
] as const;
ACCESS.expect(ACCESS_FIELDS);
const [FQDN, PORT, CLIENT, IDENT, AUTH, TS, VERB, REQ, VER, RAWREQ, RESP, BYTES, REF, UA] =
  ACCESS_FIELDS.map((n) => ACCESS.slot(n)) as number[];

function fillAccess(m: RegExpExecArray, evt: Event): string {
  const fqdn = m[FQDN as number] ?? "";
  const client = m[CLIENT as number] ?? "";
  const ts = m[TS as number] ?? "";
  const verb = m[VERB as number] ?? "";
  const request = m[REQ as number] ?? "";
  const raw = m[RAWREQ as number] ?? "";
  const status = m[RESP as number] ?? "";
  const ua = m[UA as number] ?? "";
  const p: Record<string, string> = {
    message: evt.Parsed.message ?? "",
    program: evt.Parsed.program ?? "",
    target_fqdn: fqdn,
    port: m[PORT as number] ?? "",
    clientip: client,
    ident: m[IDENT as number] ?? "",
    auth: m[AUTH as number] ?? "",
    timestamp: ts,
    verb,
    request,
    httpversion: m[VER as number] ?? "",
    rawrequest: raw,
    response: status,
    bytes: m[BYTES as number] ?? "",
    referrer: m[REF as number] ?? "",
    http_user_agent: ua,
    // set by http-logs for every event; declared here so the map is built in one go
    impact_completion: "",
    static_ressource: "",
  };
  evt.Parsed = p;
  accessMeta(evt.Meta, client, status, request !== "" ? request : raw, verb, ua, fqdn);
  return ts;
}

const HTTPD20_ERRORLOG = grok`\[${c("timestamp", HTTPDERROR_DATE)}\] \[${c("loglevel", LOGLEVEL)}\] (?:\[client ${c("clientip", IPORHOST)}\] ){0,1}${c("errormsg", GREEDYDATA)}`;
const HTTPD24_ERRORLOG = grok`\[${c("timestamp", HTTPDERROR_DATE)}\] \[${c("module", WORD)}:${c("loglevel", LOGLEVEL)}\] \[pid ${c("pid", POSINT)}(?::tid ${c("tid", NUMBER)})?\](?: \(${c("proxy_errorcode", POSINT)}\)${c("proxy_errormessage", DATA)}:)?(?: \[client ${c("client", IPORHOST)}:${c("clientport", INT)}\])? ${c("errorcode", DATA)}: ${c("message", GREEDYDATA)}`;
// grokky keeps one group per name, the last: after a 2.0-style match, `timestamp` and
// `loglevel` read the 2.4 alternative's (empty) groups, as in CrowdSec.
const ERROR = new GrokMatcher(grok`${HTTPD20_ERRORLOG}|${HTTPD24_ERRORLOG}`, {
  guarded: true,
  lead: /\[/,
  needs: ["] ["],
});

const EXTRACT_URIVERB = grok`Invalid URI in request ${c("verb", WORD)} ${c("request", NOTSPACE)}(?: HTTP/${c("httpversion", NUMBER)})`;
const EXTRACT_PATH = grok`client denied by server configuration: ${c("target_uri", GREEDYDATA)}`;

/** A sub-node grok: the fields it captures from the message, or null. */
type SubGrok = (msg: string) => Record<string, string> | null;

function search(piece: GrokPiece): SubGrok {
  const g = new GrokSearch(piece);
  return (msg) => {
    const m = g.exec(msg);
    if (!m) return null;
    const fields: Record<string, string> = {};
    g.assign(m, fields);
    return fields;
  };
}

interface SubNode {
  module: string;
  needle: string;
  grok?: SubGrok;
  path?: string;
  subType: string;
}

const SUB_NODES: readonly SubNode[] = [
  {
    module: "auth_basic",
    needle: "",
    grok: (msg) => apacheAuthFailure(msg) as Record<string, string> | null,
    path: "target_uri",
    subType: "auth_fail",
  },
  {
    module: "core",
    needle: "Invalid URI",
    grok: search(EXTRACT_URIVERB),
    path: "request",
    subType: "invalid_uri",
  },
  {
    module: "authz_core",
    needle: "client denied",
    grok: search(EXTRACT_PATH),
    path: "target_uri",
    subType: "permission_denied",
  },
  { module: "ssl", needle: "SSL handshake stopped", subType: "ssl_handshake_stopped" },
];

/** The error node's sub-nodes; the first that succeeds stops the others. */
function errorSubNodes(evt: Event): void {
  const p = evt.Parsed;
  const msg = p.message ?? "";
  for (const node of SUB_NODES) {
    if (p.module !== node.module || !msg.includes(node.needle)) continue;
    if (node.grok) {
      const fields = node.grok(msg);
      if (!fields) continue;
      Object.assign(p, fields);
    }
    if (node.module === "auth_basic") put(evt.Meta, "username", p.username);
    if (node.path) put(evt.Meta, "http_path", p[node.path]);
    evt.Meta.sub_type = node.subType;
    return;
  }
}

/** Runs the apache2 s01 nodes on `evt.Parsed.message`; returns StrTime, or null when none matched. */
export function apacheS01(evt: Event): string | null {
  const p = evt.Parsed;
  const meta = evt.Meta;
  const msg = p.message ?? "";
  const access = ACCESS.exec(msg);
  if (access) return fillAccess(access, evt);
  const error = ERROR.exec(msg);
  if (!error) return null;
  ERROR.assign(error, p);
  errorSubNodes(evt);
  meta.log_type = "http_error-log";
  meta.service = "http";
  put(meta, "source_ip", p.client);
  put(meta, "http_status", p.response);
  return p.timestamp ?? "";
}
