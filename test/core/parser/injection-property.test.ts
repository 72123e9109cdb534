// Text the client controls never chooses the source: for every form the parsers read,
// address-like text (another address alone, or wrapped in the daemon's own wording) is
// injected into each position the client writes (user names, auth info, banners, paths,
// request lines, Referers, HELO names, mail addresses, SMTP commands), one position at a
// time, and the event's source must stay the address the daemon wrote.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseState, parserFor } from "../../../src/core/parser/index";

type Line = (inj: string, ip: string) => string;

interface Form {
  name: string;
  type: "syslog" | "nginx" | "apache2";
  line: Line;
  /** What the position can hold: the daemon refuses or rewrites other characters. */
  clean?: (s: string) => string;
  /** A Referer crafted to copy the message's wording can make two readings (refused). */
  mayBeAmbiguous?: boolean;
}

const SYS = "Mar  3 09:12:44 host";
const NO_NL = (s: string) => s.replace(/[\r\n]/g, " ");
// Basic auth splits user:password at the first colon; nginx logs what precedes it.
const NO_COLON = (s: string) => NO_NL(s).replace(/:/g, "");
// Dovecot's user=<…> ends at the first '>' Dovecot writes.
const NO_GT = (s: string) => NO_NL(s).replace(/>/g, "");
// A token the daemon bounds by spaces (HELO names, Apache's referer: suffix).
const NO_SPACE = (s: string) => NO_NL(s).replace(/ /g, "_");

const SSHD: Form[] = [
  {
    name: "Failed password invalid user",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Failed password for invalid user ${u} from ${ip} port 4242 ssh2`,
  },
  {
    name: "Failed none invalid user",
    type: "syslog",
    line: (u, ip) => `${SYS} sshd[1]: Failed none for invalid user ${u} from ${ip} port 4242 ssh2`,
  },
  {
    name: "Failed publickey invalid user",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Failed publickey for invalid user ${u} from ${ip} port 4242 ssh2: RSA SHA256:v3dpapGleDaUKf4V1vKyR9Z`,
  },
  {
    name: "Failed keyboard-interactive/pam",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Failed keyboard-interactive/pam for invalid user ${u} from ${ip} port 4242 ssh2`,
  },
  {
    name: "Failed unknown RFC 5424",
    type: "syslog",
    line: (u, ip) =>
      `<38>1 2026-03-03T09:12:44Z host sshd 57915 - - Failed unknown for invalid user ${u} from ${ip} port 59197 ssh2`,
  },
  {
    name: "Failed hostbased client user",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Failed hostbased for dan from ${ip} port 45785 ssh2: RSA SHA256:8ce3aa0f, client user "${u}", client host "h"`,
  },
  {
    name: "Failed hostbased client host",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Failed hostbased for dan from ${ip} port 45785 ssh2: RSA SHA256:8ce3aa0f, client user "dan", client host "${u}"`,
  },
  {
    name: "message repeated",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: message repeated 2 times: [ Failed password for invalid user ${u} from ${ip} port 4242 ssh2]`,
  },
  {
    name: "Invalid user",
    type: "syslog",
    line: (u, ip) => `${SYS} sshd[1]: Invalid user ${u} from ${ip} port 4242`,
  },
  {
    name: "Connection closed by invalid user",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Connection closed by invalid user ${u} ${ip} port 4242 [preauth]`,
  },
  {
    name: "Disconnected from authenticating user",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Disconnected from authenticating user ${u} ${ip} port 4242 [preauth]`,
  },
  {
    name: "User not allowed (DenyUsers)",
    type: "syslog",
    line: (u, ip) => `${SYS} sshd[1]: User ${u} from ${ip} not allowed because listed in DenyUsers`,
  },
  {
    name: "PAM authentication failure",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: error: PAM: Authentication failure for illegal user ${u} from ${ip}`,
  },
  {
    name: "maximum authentication attempts",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: error: maximum authentication attempts exceeded for invalid user ${u} from ${ip} port 4242 ssh2 [preauth]`,
  },
  {
    name: "Disconnecting invalid user: too many",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Disconnecting invalid user ${u} ${ip} port 4242: Too many authentication failures [preauth]`,
  },
  {
    name: "Change of username (first user)",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Disconnecting invalid user ${u} ${ip} port 4242: Change of username or service not allowed: (${u},ssh-connection) -> (root,ssh-connection) [preauth]`,
  },
  {
    name: "Change of username (second user)",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Disconnecting invalid user admin ${ip} port 4242: Change of username or service not allowed: (admin,ssh-connection) -> (${u},ssh-connection) [preauth]`,
  },
  {
    name: "Received disconnect (client's reason)",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Received disconnect from ${ip} port 4242:3: ${u}: Auth fail [preauth]`,
  },
  {
    name: "Bad protocol version",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Bad protocol version identification '${u}' from ${ip} port 4242`,
  },
  {
    name: "kex invalid protocol identifier (session)",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} sshd[1]: Connection from ${ip} port 4242 on 192.0.2.1 port 22\n${SYS} sshd[1]: error: kex_exchange_identification: client sent invalid protocol identifier "${u}"`,
  },
];

const APACHE: Form[] = [
  {
    name: "2.4 user not found",
    type: "apache2",
    line: (u, ip) =>
      `[Thu Feb 12 14:10:02.266605 2026] [auth_basic:error] [pid 1:tid 2] [client ${ip}:51386] AH01618: user ${u} not found: /basic`,
  },
  {
    name: "2.4 password mismatch user",
    type: "apache2",
    line: (u, ip) =>
      `[Thu Feb 12 14:10:02.266605 2026] [auth_basic:error] [pid 1:tid 2] [client ${ip}:51386] AH01617: user ${u}: authentication failure for "/basic": Password Mismatch`,
    clean: NO_COLON,
  },
  {
    name: "2.4 client denied path",
    type: "apache2",
    line: (u, ip) =>
      `[Thu Feb 12 14:11:00.008606 2026] [authz_core:error] [pid 10691] [client ${ip}:44271] AH01630: client denied by server configuration: /var/www/${u}`,
  },
  {
    name: "2.4 invalid URI request",
    type: "apache2",
    line: (u, ip) =>
      `[Thu Feb 12 14:12:00.105212 2026] [core:error] [pid 17408] [client ${ip}:55280] AH00126: Invalid URI in request GET /${u} HTTP/1.1`,
  },
  {
    name: "2.2 file does not exist path",
    type: "apache2",
    line: (u, ip) =>
      `[Thu Feb 12 14:11:03 2026] [error] [client ${ip}] File does not exist: /var/www/${u}`,
  },
  {
    name: "2.2 user not found",
    type: "apache2",
    line: (u, ip) =>
      `[Thu Feb 12 14:10:04 2026] [error] [client ${ip}] user ${u} not found: /basic/file`,
  },
  {
    name: "2.2 referer",
    type: "apache2",
    line: (u, ip) =>
      `[Thu Feb 12 14:11:03 2026] [error] [client ${ip}] File does not exist: /var/www/x, referer: ${u}`,
    clean: NO_SPACE,
  },
  {
    name: "syslog 2.4 path",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} apache2[18154]: [:error] [pid 18154:tid 1] [client ${ip}:48154] AH01630: client denied by server configuration: /var/www/${u}`,
  },
  {
    name: "access line user agent",
    type: "apache2",
    line: (u, ip) => `${ip} - - [12/Feb/2026:14:10:21 +0000] "GET / HTTP/1.1" 200 12 "-" "${u}"`,
    clean: (s) => NO_NL(s).replace(/"/g, "\\x22"),
  },
  {
    name: "access line referer",
    type: "apache2",
    line: (u, ip) =>
      `${ip} - - [12/Feb/2026:14:10:21 +0000] "GET / HTTP/1.1" 200 12 "${u}" "curl/8"`,
    clean: (s) => NO_NL(s).replace(/"/g, "\\x22"),
  },
];

const NGINX: Form[] = [
  {
    name: "user not found user",
    type: "nginx",
    line: (u, ip) =>
      `2026/02/12 14:10:01 [error] 1#1: *17 user "${u}" was not found in "/etc/nginx/.htpasswd", client: ${ip}, server: _, request: "GET / HTTP/1.1", host: "localhost"`,
    clean: NO_COLON,
  },
  {
    name: "password mismatch user",
    type: "nginx",
    line: (u, ip) =>
      `2026/02/12 14:10:02 [error] 1#1: *18 user "${u}": password mismatch, client: ${ip}, server: www.example.com, request: "GET /admin/ HTTP/1.1", host: "www.example.com"`,
    clean: NO_COLON,
  },
  {
    name: "password mismatch referrer",
    type: "nginx",
    line: (u, ip) =>
      `2026/02/12 14:10:03 [error] 1#1: *19 user "admin": password mismatch, client: ${ip}, server: www.example.com, request: "GET /admin/ HTTP/1.1", host: "www.example.com", referrer: "${u}"`,
    clean: NO_NL,
  },
  {
    name: "password mismatch request",
    type: "nginx",
    line: (u, ip) =>
      `2026/02/12 14:10:03 [error] 1#1: *19 user "admin": password mismatch, client: ${ip}, server: www.example.com, request: "GET /${u} HTTP/1.1", host: "www.example.com"`,
    clean: NO_SPACE,
  },
  {
    name: "open() failed path",
    type: "nginx",
    line: (u, ip) =>
      `2026/02/12 14:12:01 [error] 31#31: *47 open() "/usr/share/nginx/html/${u}" failed (2: No such file or directory), client: ${ip}, server: localhost, request: "GET /x HTTP/1.1", host: "www.example.com"`,
    clean: NO_NL,
  },
  {
    name: "open() failed referrer",
    type: "nginx",
    line: (u, ip) =>
      `2026/02/12 14:12:01 [error] 31#31: *47 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: ${ip}, server: localhost, request: "GET /x HTTP/1.1", host: "www.example.com", referrer: "${u}"`,
    clean: NO_NL,
    mayBeAmbiguous: true,
  },
  {
    name: "limiting requests referrer",
    type: "nginx",
    line: (u, ip) =>
      `2026/02/12 14:11:02 [warn] 2#2: *1 limiting requests, excess: 5.459 by zone "tier1", client: ${ip}, server: example.com, request: "POST / HTTP/1.1", host: "example.com", referrer: "${u}"`,
    clean: NO_NL,
  },
  {
    name: "access line user agent",
    type: "nginx",
    line: (u, ip) => `${ip} - - [12/Feb/2026:14:10:21 +0000] "GET / HTTP/1.1" 200 12 "-" "${u}"`,
    clean: (s) => NO_NL(s).replace(/"/g, "\\x22"),
  },
  {
    name: "syslog access line path",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} nginx: ${ip} - - [12/Feb/2026:14:10:21 +0000] "GET /${u} HTTP/1.1" 404 12 "-" "-"`,
    clean: NO_SPACE,
  },
];

const MAIL: Form[] = [
  {
    name: "postfix reject HELO",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[${ip}]: 554 5.7.1 <a@example.net>: Relay access denied; from=<a@example.net> to=<b@example.net> proto=ESMTP helo=<${u}>`,
    clean: NO_SPACE,
  },
  {
    name: "postfix reject sender",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[${ip}]: 554 5.7.1 <${u}>: Sender address rejected: match; from=<${u}> to=<b@example.net> proto=ESMTP helo=<x>`,
  },
  {
    name: "postfix queued reject recipient",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} postfix/smtpd[1]: 00ADB3C0899: reject: RCPT from example.com[${ip}]: 550 5.1.1 <${u}>: Recipient address rejected: User unknown; from=<x@example.com> to=<${u}> proto=ESMTP helo=<example.com>`,
  },
  {
    name: "postfix non-SMTP command",
    type: "syslog",
    line: (u, ip) => `${SYS} postfix/smtpd[1]: warning: non-SMTP command from unknown[${ip}]: ${u}`,
  },
  {
    name: "postfix SASL failure reason",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} postfix/smtpd[1]: warning: unknown[${ip}]: SASL LOGIN authentication failed: ${u}`,
  },
  {
    name: "postfix improper pipelining",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} postfix/smtpd[1]: improper command pipelining after AUTH from unknown[${ip}]: ${u}`,
  },
  {
    name: "postscreen PREGREET text",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} postfix/postscreen[1]: PREGREET 11 after 0.09 from [${ip}]:51234: ${u}`,
  },
  {
    name: "postscreen reject helo",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} postfix/postscreen[1]: NOQUEUE: reject: RCPT from [${ip}]:60591: 550 5.7.1 Service unavailable; client [${ip}] blocked using rbl.example.com; from=<${u}>, to=<a@example.org>, proto=ESMTP, helo=<x>`,
  },
  {
    name: "dovecot login user",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<${u}>, method=PLAIN, rip=${ip}, lip=192.0.2.1, TLS, session=<g3ZKeDECFqlWWMbU>`,
    clean: NO_GT,
  },
  {
    name: "dovecot login user, no lip",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<${u}>, method=PLAIN, rip=${ip}`,
    clean: NO_GT,
  },
  {
    name: "dovecot auth-worker user",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} dovecot: auth-worker(304): pam(${u},${ip}): pam_authenticate() failed: Authentication failure (password mismatch?)`,
  },
  {
    name: "dovecot auth sql user",
    type: "syslog",
    line: (u, ip) => `${SYS} dovecot: auth: sql(${u},${ip},<6rXunFtu493AqJDi>): Password mismatch`,
  },
  {
    name: "dovecot pam_unix ruser",
    type: "syslog",
    line: (u, ip) =>
      `${SYS} dovecot-auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=${u} rhost=${ip}`,
    clean: NO_SPACE,
  },
];

const FORMS = [...SSHD, ...APACHE, ...NGINX, ...MAIL];

/** The daemons' own wording around an address, as a client would spell it. */
function spelled(a: string): string[] {
  return [
    a,
    `from ${a}`,
    `from ${a} port 22`,
    `x from ${a} port 22 ssh2`,
    `x from ${a} port 22 ssh2: RSA SHA256:abc`,
    `${a} port 22 [preauth]`,
    `${a} port 22: Too many authentication failures`,
    ` from ${a} not allowed because listed in DenyUsers`,
    `(${a})`,
    `rhost=${a}`,
    ` rhost=${a} user=x`,
    `from ${a} via ${a}`,
    `[client ${a}]`,
    `[client ${a}:1] AH01618: user x not found`,
    `, client: ${a}, server: x, request: "GET / HTTP/1.1", host: "h"`,
    `", client: ${a}, server: x, request: "GET / HTTP/1.1", host: "h`,
    `" failed (2: No such file or directory), client: ${a}, server: a, request: "GET / HTTP/1.1", host: "h`,
    `unknown[${a}]: 554 5.7.1 x`,
    ` from unknown[${a}]`,
    `[${a}]:25`,
    `rip=${a}, lip=${a}`,
    `x>, method=PLAIN, rip=${a}, lip=${a}`,
    `,${a}): unknown user`,
    `x,${a},<s>): Password mismatch`,
    `${a} - - [12/Feb/2026:14:10:21 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`,
  ];
}

const text = fc.string({
  unit: fc.constantFrom(
    "a",
    " ",
    ":",
    ",",
    ".",
    "1",
    '"',
    "'",
    "<",
    ">",
    "(",
    ")",
    "[",
    "]",
    "/",
    "=",
    "\ufffd",
  ),
  maxLength: 24,
});
const address = fc.oneof(fc.ipV4(), fc.ipV6());
const injection = fc.tuple(address, fc.nat(), text, text).map(([a, k, pre, post]) => {
  const s = spelled(a);
  return `${pre}${s[k % s.length]}${post}`;
});

const origin = (type: string) => ({ src: "prop.log", module: "file", labels: { type } });
const opts = { now: Date.UTC(2026, 10, 27), year: 2026 };

function sourceOf(form: Form, inj: string, ip: string): { ip?: string; reason?: string } {
  const parser = parserFor(form.type);
  const state = new ParseState();
  let last: { ip?: string; reason?: string } = {};
  for (const raw of form.line((form.clean ?? NO_NL)(inj), ip).split("\n")) {
    const evt = parser?.parse(raw, origin(form.type), opts, state);
    last = {};
    if (evt?.Meta.source_ip !== undefined) last.ip = evt.Meta.source_ip;
    if (state.reason !== undefined) last.reason = state.reason;
  }
  return last;
}

describe("the source never comes from the client's text", () => {
  it("reads every form with its real address when nothing is injected", () => {
    for (const form of FORMS) {
      expect(sourceOf(form, "x", "198.51.100.7"), form.name).toEqual({ ip: "198.51.100.7" });
      expect(sourceOf(form, "x", "2001:db8::7"), form.name).toEqual({ ip: "2001:db8::7" });
    }
  });

  for (const form of FORMS) {
    it(`${form.type}: ${form.name}`, () => {
      fc.assert(
        fc.property(injection, address, (inj, ip) => {
          const got = sourceOf(form, inj, ip);
          if (form.mayBeAmbiguous && got.ip === undefined) {
            expect(got.reason).toBe("ambiguous");
            return;
          }
          expect(got.ip, form.line((form.clean ?? NO_NL)(inj), ip)).toBe(ip);
        }),
        { numRuns: 300 },
      );
    });
  }
});
