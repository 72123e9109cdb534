import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Event, LineOrigin } from "../../../src/core/event";
import { parseIp } from "../../../src/core/ip";
import { parserFor } from "../../../src/core/parser/index";
import { recognised } from "./syslog-support";

const origin: LineOrigin = { src: "prop.log", module: "file", labels: { type: "syslog" } };
const syslog = parserFor("syslog");
const journald = parserFor("journald");
const opts = { now: Date.UTC(2026, 0, 1), timezone: "Europe/Paris" };

function check(e: Event | null | undefined): void {
  expect(e === null || typeof e === "object").toBe(true);
  const ip = e?.Meta.source_ip;
  if (ip !== undefined) expect(parseIp(ip), ip).toBeDefined();
}

const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom(
      "a",
      " ",
      "[",
      "]",
      ":",
      "<",
      ">",
      "(",
      ")",
      ",",
      "1",
      ".",
      "\ufffd",
      "\u0000",
    ),
    maxLength: 200,
  }),
);

const PREFIXES = [
  "Feb 12 14:10:21 host sshd[1]: ",
  "Feb 12 14:10:21 host sshd-session[1]: ",
  "2023-11-14T00:20:42.738197+01:00 host sshd[1]: ",
  '<38>1 2022-01-19T14:23:55+00:00 host sshd 4 - [meta sequenceId="1"] ',
  "Feb 12 14:10:21 host postfix/smtpd[1]: ",
  "Feb 12 14:10:21 host postfix/postscreen[1]: ",
  "Feb 12 14:10:21 host dovecot: ",
];
const HEADS = [
  "",
  "Invalid user ",
  "Failed password for ",
  "Failed password for invalid user ",
  "Disconnected from invalid user ",
  "Connection closed by ",
  "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=",
  "refused connect from ",
  "Bad protocol version identification '",
  "NOQUEUE: reject: RCPT from ",
  "warning: unknown[",
  "imap-login: Disconnected (auth failed): user=<",
  "auth-worker(1): sql(",
  "message repeated 3 times: [ ",
];

describe("syslog/journald: hostile input never throws", () => {
  it("survives arbitrary lines", () => {
    fc.assert(
      fc.property(anyText, (line) => {
        check(syslog?.parse(line, origin, opts));
        check(journald?.parse(line, origin, opts));
      }),
      { numRuns: 2000 },
    );
  });

  it("survives arbitrary messages behind every frame and program head", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PREFIXES),
        fc.constantFrom(...HEADS),
        anyText,
        (p, h, rest) => {
          check(syslog?.parse(p + h + rest, origin, opts));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("survives arbitrary journal entries", () => {
    const entry = fc.record({
      __REALTIME_TIMESTAMP: fc.oneof(
        fc.string(),
        fc.bigInt({ min: 0n, max: 10n ** 17n }).map(String),
      ),
      SYSLOG_IDENTIFIER: fc.constantFrom("sshd", "dovecot", "postfix/smtpd", "x"),
      MESSAGE: fc.oneof(anyText, fc.array(fc.integer({ min: -1, max: 300 }), { maxLength: 80 })),
      _HOSTNAME: fc.option(fc.string()),
    });
    fc.assert(
      fc.property(entry, (e) => check(journald?.parse(JSON.stringify(e), origin, opts))),
      { numRuns: 1000 },
    );
  });

  it("bounds the work on 1 MB lines", () => {
    const big = (s: string) => s.repeat(Math.ceil(1_000_000 / s.length));
    for (const body of [
      big("Invalid user a from 1.2.3.4 "),
      `Failed password for invalid user ${big("x from 6.6.6.6 port 1 ssh2 ")}from 192.0.2.1 port 2 ssh2`,
      big("pam_x(sshd:auth): "),
      `imap-login: ${big(": user=<a>, rip=1.1.1.1, ")}`,
      `auth-worker(1): sql(${big("a,1.1.1.1,")}`,
      `NOQUEUE: reject: RCPT from ${big("a from b[1.1.1.1] ")}`,
    ]) {
      for (const prog of ["sshd[1]", "dovecot", "postfix/smtpd[1]"]) {
        check(syslog?.parse(`Feb 12 14:10:21 h ${prog}: ${body}`, origin, opts));
      }
    }
    expect(
      recognised(
        syslog?.parse(
          `Feb 12 14:10:21 h sshd[1]: Invalid user ${big("a")} from 192.0.2.1`,
          origin,
          opts,
        ),
      ),
    ).toBeNull();
  });
});

describe("sshd: the source is always the real peer", () => {
  const templates = [
    (u: string, ip: string) => `Invalid user ${u} from ${ip} port 4242`,
    (u: string, ip: string) => `Invalid user ${u} from ${ip}`,
    (u: string, ip: string) => `Failed password for invalid user ${u} from ${ip} port 4242 ssh2`,
    (u: string, ip: string) =>
      `message repeated 2 times: [ Failed password for invalid user ${u} from ${ip} port 4242 ssh2]`,
    (u: string, ip: string) =>
      `Failed keyboard-interactive/pam for invalid user ${u} from ${ip} port 4242 ssh2`,
    (u: string, ip: string) => `Disconnected from invalid user ${u} ${ip} port 4242 [preauth]`,
    (u: string, ip: string) => `Connection closed by invalid user ${u} ${ip} port 4242 [preauth]`,
    (u: string, ip: string) => `User ${u} from ${ip} not allowed because not listed in AllowUsers`,
    (u: string, ip: string) => `Bad protocol version identification '${u}' from ${ip} port 4242`,
    (u: string, ip: string) => `refused connect from ${u} (${ip})`,
  ];
  const spoof = fc.constantFrom(
    "",
    " ",
    "x from 6.6.6.6",
    "x from 6.6.6.6 port 22",
    "x from 6.6.6.6 port 22 ssh2",
    "6.6.6.6 port 22 [preauth]",
    "(6.6.6.6)",
    "x' from 6.6.6.6",
  );
  const user = fc.oneof(
    spoof,
    anyText,
    fc.tuple(anyText, spoof, anyText).map((t) => t.join("")),
  );
  const peer = fc.oneof(fc.ipV4(), fc.ipV6());

  it("parses each template with the peer sshd wrote last", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: templates.length - 1 }), user, peer, (t, u, ip) => {
        const msg = (templates[t] as (u: string, ip: string) => string)(u.replace(/\n/g, " "), ip);
        const e = syslog?.parse(`Feb 12 14:10:21 host sshd[1]: ${msg}`, origin, opts);
        expect(e?.Meta.source_ip, msg).toBe(ip);
      }),
      { numRuns: 3000 },
    );
  });
});
