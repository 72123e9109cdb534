import { ahead, c, grok, raw } from "./http-grok";

/**
 * The grok base patterns CrowdSec's HTTP parsers use (grokky's base set plus the hub's
 * `pattern_syntax` entries), ported to native regex sources. Go's `.` is `[^\n]` here
 * (JavaScript's also stops at `\r` and U+2028), Go's `\s`/`\S` are spelled out, and
 * grokky's unnamed groups become non-capturing.
 *
 * One deliberate difference: grokky's IPV6 accepts a zone suffix `(%.+)?`, a greedy
 * any-character run that makes backtracking super-linear; it is left out (clients are
 * never logged with a zone), so `fe80::1%eth0` does not match as an address.
 */

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const V4TAIL = String.raw`${OCTET}(?:\.${OCTET}){3}`;
const H = "[0-9A-Fa-f]{1,4}";
const IPV6_SRC = [
  `(?:${H}:){7}(?:${H}|:)`,
  `(?:${H}:){6}(?::${H}|${V4TAIL}|:)`,
  `(?:${H}:){5}(?:(?::${H}){1,2}|:${V4TAIL}|:)`,
  `(?:${H}:){4}(?:(?::${H}){1,3}|(?::${H})?:${V4TAIL}|:)`,
  `(?:${H}:){3}(?:(?::${H}){1,4}|(?::${H}){0,2}:${V4TAIL}|:)`,
  `(?:${H}:){2}(?:(?::${H}){1,5}|(?::${H}){0,3}:${V4TAIL}|:)`,
  `(?:${H}:){1}(?:(?::${H}){1,6}|(?::${H}){0,4}:${V4TAIL}|:)`,
  `:(?:(?::${H}){1,7}|(?::${H}){0,5}:${V4TAIL}|:)`,
]
  .map((alt) => `(?:${alt})`)
  .join("|");

// Every IPv6 form has a colon within its first five characters.
export const IPV6 = grok`${ahead("[0-9A-Fa-f]{0,4}:")}${raw(IPV6_SRC)}`;
const IPV4 = raw(
  String.raw`(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)`,
);
const HOSTNAME = raw(
  String.raw`\b[0-9A-Za-z][0-9A-Za-z-]{0,62}(?:\.[0-9A-Za-z][0-9A-Za-z-]{0,62})*(?:\.?|\b)`,
);
export const IP = grok`${IPV6}|${IPV4}`;
export const IPORHOST = grok`${IP}|${HOSTNAME}`;

export const USERNAME = raw("[a-zA-Z0-9._-]+");
export const USER = grok`${USERNAME}`;
const EMAILLOCALPART = raw("[a-zA-Z0-9_.+-=:]+");
const EMAILADDRESS = grok`${EMAILLOCALPART}@${HOSTNAME}`;
export const HTTPDUSER = grok`${EMAILADDRESS}|${USER}`;

export const INT = raw("[+-]?(?:[0-9]+)");
export const NUMBER = raw(String.raw`[+-]?(?:(?:[0-9]+(?:\.[0-9]+)?)|(?:\.[0-9]+))`);
export const POSINT = raw(String.raw`\b[1-9][0-9]*\b`);
export const NONNEGINT = raw(String.raw`\b[0-9]+\b`);
export const WORD = raw(String.raw`\b\w+\b`);
export const NOTSPACE = raw("[^\\t\\n\\f\\r ]+");
export const DATA = raw("[^\\n]*?");
export const GREEDYDATA = raw("[^\\n]*");
export const NOTDQUOTE = raw('[^"]*');

const URIPROTO = raw("[A-Za-z]+(?:\\+[A-Za-z+]+)?");
export const URIHOST = grok`${IPORHOST}(?::${c("port", POSINT)})?`;
const URIPATH = raw("(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%_\\-]*)+");
export const URIPARAM = raw("\\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\\-\\[\\]<>]*");
const URIPATHPARAM = grok`${URIPATH}(?:${URIPARAM})?`;
export const URI = grok`${URIPROTO}://(?:${USER}(?::[^@]*)?@)?(?:${URIHOST})?(?:${URIPATHPARAM})?`;

const MONTH = raw(
  String.raw`\bJan(?:uary|uar)?|Feb(?:ruary|ruar)?|M(?:a|ä)?r(?:ch|z)?|Apr(?:il)?|Ma(?:y|i)?|Jun(?:e|i)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:tember)?|O(?:c|k)?t(?:ober)?|Nov(?:ember)?|De(?:c|z)(?:ember)?\b`,
);
export const MONTHNUM2 = raw("0[1-9]|1[0-2]");
const MONTHDAY = raw("(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9]");
const DAY = raw(
  "Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?",
);
export const YEAR = raw("(?:\\d\\d){1,2}");
export const HOUR = raw("2[0123]|[01]?[0-9]");
export const MINUTE = raw("[0-5][0-9]");
export const SECOND = raw("(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?");
const TIME = grok`${HOUR}:${MINUTE}:${SECOND}`;
export const HTTPDATE = grok`${MONTHDAY}/${MONTH}/${YEAR}:${TIME} ${INT}`;
export const HTTPDERROR_DATE = grok`${DAY} ${MONTH} ${MONTHDAY} ${TIME} ${YEAR}`;

export const LOGLEVEL = raw(
  "[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo|INFO|[Ww]arn?(?:ing)?|WARN?(?:ING)?|[Ee]rr?(?:or)?|ERR?(?:OR)?|[Cc]rit?(?:ical)?|CRIT?(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?",
);

/** `NGCUSTOMUSER`, shared by the nginx and traefik hub parsers. */
export const NGCUSTOMUSER = raw("[a-zA-Z0-9\\.\\@\\-\\+_%]+");
