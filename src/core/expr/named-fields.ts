/**
 * Named reads of the fields hub scenarios read most. V8 answers `o[key]` with `key` in a
 * variable through its megamorphic lookup (a hash probe that often misses in a busy
 * process); a property named in the source gets its own inline cache, monomorphic over
 * the parsers' objects. Member paths (paths.ts) and guard readers use these where they
 * can; any other key is read by name at run time. Only the property is read here: own
 * or inherited, what it means is the caller's business.
 */

export type Getter = (o: Record<string, unknown>) => unknown;

type Fields = Record<string, unknown>;

const NAMED_FIELDS: Readonly<Record<string, Getter>> = {
  evt: (o: Fields) => o.evt,
  Meta: (o: Fields) => o.Meta,
  Parsed: (o: Fields) => o.Parsed,
  Enriched: (o: Fields) => o.Enriched,
  log_type: (o: Fields) => o.log_type,
  service: (o: Fields) => o.service,
  sub_type: (o: Fields) => o.sub_type,
  source_ip: (o: Fields) => o.source_ip,
  target_user: (o: Fields) => o.target_user,
  target_fqdn: (o: Fields) => o.target_fqdn,
  http_status: (o: Fields) => o.http_status,
  http_path: (o: Fields) => o.http_path,
  http_verb: (o: Fields) => o.http_verb,
  http_user_agent: (o: Fields) => o.http_user_agent,
  verb: (o: Fields) => o.verb,
  request: (o: Fields) => o.request,
  http_args: (o: Fields) => o.http_args,
  http_referer: (o: Fields) => o.http_referer,
  file_name: (o: Fields) => o.file_name,
  file_ext: (o: Fields) => o.file_ext,
  static_ressource: (o: Fields) => o.static_ressource,
  status: (o: Fields) => o.status,
};

/** The getter of `key`: a named read when listed above, else a read by name. */
export function fieldGetter(key: string): Getter {
  const named = Object.hasOwn(NAMED_FIELDS, key) ? NAMED_FIELDS[key] : undefined;
  return named ?? ((o) => o[key]);
}

/** Keys `readNamed` reads by name, by index. */
const NAMED_KEYS: readonly string[] = [
  "log_type",
  "service",
  "sub_type",
  "source_ip",
  "target_user",
  "target_fqdn",
  "http_status",
  "http_path",
  "http_verb",
  "http_user_agent",
  "verb",
  "request",
  "http_args",
  "http_referer",
  "file_name",
  "file_ext",
  "static_ressource",
  "status",
];

/** The index `readNamed` takes for `key`: -1 (a read by name) when it has no named read. */
export function namedIndex(key: string): number {
  return NAMED_KEYS.indexOf(key);
}

/**
 * `o[key]` where `index` is `namedIndex(key)`: one switch with a named read per field, so
 * a loop over several fields of the parsers' objects keeps every read's inline cache
 * (a call through a table of getters is megamorphic and cannot be inlined).
 */
export function readNamed(o: Fields, index: number, key: string): unknown {
  switch (index) {
    case 0:
      return o.log_type;
    case 1:
      return o.service;
    case 2:
      return o.sub_type;
    case 3:
      return o.source_ip;
    case 4:
      return o.target_user;
    case 5:
      return o.target_fqdn;
    case 6:
      return o.http_status;
    case 7:
      return o.http_path;
    case 8:
      return o.http_verb;
    case 9:
      return o.http_user_agent;
    case 10:
      return o.verb;
    case 11:
      return o.request;
    case 12:
      return o.http_args;
    case 13:
      return o.http_referer;
    case 14:
      return o.file_name;
    case 15:
      return o.file_ext;
    case 16:
      return o.static_ressource;
    case 17:
      return o.status;
    default:
      return o[key];
  }
}
