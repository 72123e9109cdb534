import type { Event } from "../event";
import { parseIp } from "../ip";
import { nowTime, parseStrTime } from "./timestamp-http";
import type { ParseOptions } from "./types";

/**
 * The stages around an HTTP s01 parser, as CrowdSec runs them: s00 `non-syslog`
 * (message, program, datasource), then s02 `http-logs` and `dateparse-enrich`.
 */

/** Sets a meta/parsed field the way a CrowdSec static does: an empty value is skipped. */
export function put(into: Record<string, string>, key: string, value: string | undefined): void {
  if (value !== undefined && value !== "") into[key] = value;
}

/**
 * The Meta an access line's statics set (crowdsecurity/nginx-logs, apache2-logs): an
 * empty capture sets nothing, as CrowdSec's statics skip empty values.
 */
export function accessMeta(
  meta: Record<string, string>,
  addr: string,
  status: string,
  path: string,
  verb: string,
  ua: string,
  fqdn: string,
): void {
  meta.log_type = "http_access-log";
  meta.service = "http";
  if (addr !== "") meta.source_ip = addr;
  if (status !== "") meta.http_status = status;
  if (path !== "") meta.http_path = path;
  if (verb !== "") meta.http_verb = verb;
  if (ua !== "") meta.http_user_agent = ua;
  if (fqdn !== "") meta.target_fqdn = fqdn;
}

/** s00-raw `crowdsecurity/non-syslog`. */
export function nonSyslog(evt: Event, program: string): void {
  evt.Parsed.message = evt.Line.Raw;
  if (program !== "") evt.Parsed.program = program;
  if (evt.Line.Src !== "") evt.Meta.datasource_path = evt.Line.Src;
  if (evt.Line.Module !== "") evt.Meta.datasource_type = evt.Line.Module;
}

const STATIC_EXTS = new Set([
  ".JPG",
  ".CSS",
  ".JS",
  ".JPEG",
  ".PNG",
  ".SVG",
  ".MAP",
  ".ICO",
  ".OTF",
  ".GIF",
  ".MP3",
  ".MP4",
  ".WOFF",
  ".WOFF2",
  ".TTF",
  ".EOT",
  ".WEBP",
  ".WAV",
  ".GZ",
  ".BROTLI",
  ".BVR",
  ".TS",
  ".BMP",
  ".AVIF",
  ".MJS",
]);

/** `Upper(ext) in [...]`; no listed extension is longer than 7 characters. */
function isStaticExt(ext: string): boolean {
  return ext.length > 1 && ext.length <= 7 && STATIC_EXTS.has(goUpper(ext));
}

/** Go's strings.ToUpper: per-rune simple mapping (JavaScript expands `ß` to `SS`). */
function goUpper(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 0x80;
  if (ascii) return s.toUpperCase();
  let out = "";
  for (const ch of s) {
    const up = ch.toUpperCase();
    out += [...up].length === 1 ? up : ch;
  }
  return out;
}

/** Go's `len(string)`: UTF-8 bytes. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
        continue;
      }
      n += 2;
    } else n += 2;
  }
  return n;
}

// `%{DIR:file_dir}(%{FILE:file_frag}%{EXT:file_ext})?` where Go's `.` stops at a newline.
const PATH_WITH_NEWLINE = /^([^\n]*\/)(?:([^/][^\n]*?)(\.[^.]*$|$))?/;

/**
 * `%{DIR:file_dir}(%{FILE:file_frag}%{EXT:file_ext})?` on `path`: the directory up to the
 * last `/`, then the lazy FILE stops at the last `.` that is not the name's first character.
 * Returns false (grok failed) when there is no `/`.
 */
function splitPath(p: Record<string, string>, path: string, newline: boolean): boolean {
  if (newline) {
    const m = PATH_WITH_NEWLINE.exec(path);
    if (!m) return false;
    p.file_dir = m[1] as string;
    p.file_frag = m[2] ?? "";
    p.file_ext = m[3] ?? "";
    return true;
  }
  const slash = lastIndexOfChar(path, SLASH);
  if (slash < 0) return false;
  const dot = lastIndexOfChar(path, DOT);
  p.file_dir = path.slice(0, slash + 1);
  if (dot > slash + 1) {
    p.file_frag = path.slice(slash + 1, dot);
    p.file_ext = path.slice(dot);
  } else {
    p.file_frag = path.slice(slash + 1);
    p.file_ext = "";
  }
  return true;
}

/**
 * s02 `crowdsecurity/http-logs`. Returns the node's success, which (its parent having no
 * grok) is the success of its last child, the path split.
 */
function httpLogs(evt: Event): boolean {
  const p = evt.Parsed;
  const status = evt.Meta.http_status;
  p.impact_completion = status === "404" || status === "403" || status === "502" ? "false" : "true";
  p.static_ressource = "false";
  const request = p.request;
  if (request === undefined) return false;
  let path = request;
  const newline = request.includes("\n");
  // Most requests have no query: the indexOf builtin says so without a backward scan.
  const q = newline || request.indexOf("?") < 0 ? -1 : lastIndexOfChar(request, QUESTION);
  if (q >= 0) {
    path = request.slice(0, q);
    p.request = path;
    p.http_args = request.slice(q + 1);
  }
  if (!splitPath(p, path, newline)) return false;
  const args = p.http_args;
  evt.Meta.http_args_len = args === undefined ? "0" : String(utf8Length(args));
  const frag = p.file_frag as string;
  const ext = p.file_ext as string;
  if (frag !== "" || ext !== "") p.file_name = frag + ext;
  p.static_ressource = isStaticExt(ext) ? "true" : "false";
  return true;
}

/** s02 `crowdsecurity/dateparse-enrich` on `evt.StrTime`. */
export function dateparse(evt: Event, strTime: string, opts: ParseOptions): void {
  const t = parseStrTime(strTime, opts) ?? nowTime(opts.now);
  evt.Time = t.ms;
  evt.Enriched.MarshaledTime = t.marshaled;
  evt.Meta.timestamp = t.marshaled;
}

/** A dotted quad as ipaddr.js accepts it: four 0-255 parts, no leading zeros. */
function isDottedQuad(s: string): boolean {
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && !(digits === 1 && value === 0)) {
      value = value * 10 + c - 48;
      digits++;
    } else return false;
  }
  return parts === 4;
}

/** Whether the project's IP parser accepts `s` as written (no surrounding blanks). */
export function isIp(s: string): boolean {
  if (s.length <= 15 && isDottedQuad(s)) return true;
  return s.length > 0 && s.trim() === s && parseIp(s) !== undefined;
}

/**
 * s02 for an event an HTTP s01 parser accepted with time text `strTime`: http-logs, then
 * dateparse-enrich when StrTime is set (else `evt.Time` is `opts.now`, the acquisition
 * time). A CrowdSec install always has the `whitelists` s02 node, which succeeds for
 * every event, so s02 never drops one. Palisade adds one rule of its own: the event must
 * carry a valid source IP, since every decision is about one (CrowdSec would accept a
 * hostname or no source at all and fail later).
 */
export function finishHttp(evt: Event, strTime: string, opts: ParseOptions): boolean {
  const source = evt.Meta.source_ip;
  if (source === undefined || !isIp(source)) return false;
  httpLogs(evt);
  if (strTime !== "") dateparse(evt, strTime, opts);
  else evt.Time = opts.now;
  return true;
}

const SLASH = 0x2f;
const DOT = 0x2e;
const QUESTION = 0x3f;

/**
 * `s.lastIndexOf(c)` for one UTF-16 unit. V8 runs String.prototype.lastIndexOf as a
 * runtime call, several times the cost of this loop on a path's last few characters.
 */
function lastIndexOfChar(s: string, code: number): number {
  for (let i = s.length - 1; i >= 0; i--) if (s.charCodeAt(i) === code) return i;
  return -1;
}
