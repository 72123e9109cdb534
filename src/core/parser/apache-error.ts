import type { Event } from "../event";
import { apacheErrorKind, apacheErrorPath } from "./apache-error-kind";
import { put } from "./http-enrich";
import { isIpToken } from "./program-ip";
import { hostKind } from "./unparsed-reason";

/**
 * Apache error lines CrowdSec's apache2-logs does not make an event of, read by
 * Palisade: Apache 2.2's `[date] [level] [client IP] message` (the hub's grok reads the
 * line but takes the address from the 2.4 group, empty here), 2.4 lines whose client has
 * no port or is a bracketed IPv6 address (`[client [2001:db8::1]:51548]`), and error
 * lines sent to syslog, which carry no date. The fields are the hub grok's names
 * (`timestamp`, `module`, `loglevel`, `pid`, `tid`, `client`, `clientport`, `errorcode`,
 * `message`: `errorcode` is the text up to the first `: ` as the hub's 2.4 grok splits
 * it), plus `referer` when Apache appended `, referer: …`; Meta `log_type:
 * http_error-log`, `source_ip`, `http_path` where the message names one, and `sub_type`
 * (apache-error-kind.ts).
 *
 * The client is the first `[client …]` after the line's header, written by Apache before
 * any text the client controls (paths, user names, headers), so the address cannot be
 * spelled by the client.
 */

const DATE = String.raw`\[(?<timestamp>[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4})\] `;
const HEADER = new RegExp(
  `^(?:${DATE})?` +
    String.raw`\[(?:(?<module>\w*):)?(?<loglevel>[a-z]+\d*)\]` +
    String.raw`(?<v24> \[pid (?<pid>\d+)(?::tid (?<tid>\d+))?\])?` +
    String.raw`(?: \((?<proxy_errorcode>\d+)\)(?<proxy_errormessage>[^\[]*?):)?` +
    String.raw` \[client (?<client>[^\]\s]*\]?[^\]\s]*)\]` +
    String.raw`(?: \[client [^\]]*\])*` +
    ` (?<rest>.*)$`,
  "s",
);

const REFERER = ", referer: ";

export interface ApacheClient {
  address: string;
  port?: string;
}

/** `[client …]` text to the address: `1.2.3.4`, `1.2.3.4:5`, `[v6]:5`, `v6:5` (2.4), `v6`. */
function clientOf(token: string, v24: boolean): ApacheClient | "hostname" | undefined {
  if (token.startsWith("[")) {
    const close = token.indexOf("]");
    const address = token.slice(1, close);
    const port = token.slice(close + 1);
    if (!isIpToken(address) || !/^(?::\d{1,5})?$/.test(port)) return undefined;
    return port ? { address, port: port.slice(1) } : { address };
  }
  if (isIpToken(token)) {
    // Apache 2.4 appends the port; an IPv6 address ending in four digits is ambiguous
    // with it, so 2.4's address is always what comes before the last colon.
    if (!v24 || !token.includes(":")) return { address: token };
  }
  const colon = token.lastIndexOf(":");
  if (colon > 0 && /^\d{1,5}$/.test(token.slice(colon + 1))) {
    const address = token.slice(0, colon);
    if (isIpToken(address)) return { address, port: token.slice(colon + 1) };
    if (hostKind(address) === "hostname") return "hostname";
  }
  return hostKind(token) === "hostname" ? "hostname" : undefined;
}

/**
 * Reads a Palisade-only Apache error line into `evt`: the time text ("" when the line
 * has no date), "hostname" when the client is a name, or null when it is no such line.
 */
export function apacheErrorS01(evt: Event, msg: string): string | "hostname" | null {
  const m = HEADER.exec(msg);
  const g = m?.groups;
  if (!g) return null;
  const client = clientOf(g.client ?? "", g.v24 !== undefined);
  if (client === undefined) return null;
  if (client === "hostname") return "hostname";
  const p = evt.Parsed;
  for (const k of ["timestamp", "module", "loglevel", "pid", "tid"] as const) put(p, k, g[k]);
  put(p, "proxy_errorcode", g.proxy_errorcode);
  put(p, "proxy_errormessage", g.proxy_errormessage);
  p.client = client.address;
  put(p, "clientport", client.port);
  let rest = g.rest ?? "";
  const ref = rest.lastIndexOf(REFERER);
  if (ref >= 0 && !rest.includes(" ", ref + REFERER.length)) {
    p.referer = rest.slice(ref + REFERER.length);
    rest = rest.slice(0, ref);
  }
  const colon = rest.indexOf(": ");
  p.errorcode = colon >= 0 ? rest.slice(0, colon) : "";
  p.message = colon >= 0 ? rest.slice(colon + 2) : rest;
  const meta = evt.Meta;
  meta.log_type = "http_error-log";
  meta.service = "http";
  meta.source_ip = client.address;
  put(meta, "sub_type", apacheErrorKind(rest));
  put(meta, "http_path", apacheErrorPath(rest));
  return g.timestamp ?? "";
}
