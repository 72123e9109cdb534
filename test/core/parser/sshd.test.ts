import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Event, LineOrigin } from "../../../src/core/event";
import { parserFor } from "../../../src/core/parser/index";
import { recognised } from "./syslog-support";

const origin: LineOrigin = { src: "/var/log/auth.log", module: "file", labels: { type: "syslog" } };
const NOW = Date.UTC(2026, 10, 27);
const syslog = parserFor("syslog");
const parse = (line: string): Event | null => recognised(syslog?.parse(line, origin, { now: NOW }));
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/parser/syslog/${name}`, import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");

const F = "ssh_failed-auth";
/** [log_type ("" = parsed without one), source_ip, target_user or user] per line; null = unparsed. */
type Want = [string, string, string?] | null;

// sshd-variants.log, line by line; each verdict is what hub sshd-logs/sshd-success-logs do.
const VARIANTS: Want[] = [
  [F, "203.0.113.7", "root"],
  [F, "203.0.113.7", "root"], // message repeated N times: one event, as grok matches inside
  [F, "203.0.113.7", "root"], // maximum authentication attempts: Palisade's (sub_type summary)
  [F, "203.0.113.7", "root"], // Disconnecting authenticating user … Too many: Palisade's (summary)
  [F, "203.0.113.7", "root"], // PAM N more authentication failures: Palisade's (summary)
  [F, "198.51.100.23", "oracle"],
  null, // pam_unix check pass; user unknown
  [F, "198.51.100.23"],
  [F, "198.51.100.23", "oracle"],
  null, // Received disconnect 11 [preauth]: a summary only after failures of the session (read alone here)
  [F, "198.51.100.23", "oracle"],
  [F, "192.0.2.14", "git"],
  [F, "192.0.2.15"],
  null, // Connection closed without [preauth]: the session's end, no event
  [F, "2001:db8::1f", "deploy"],
  [F, "198.51.100.40", "admin"],
  [F, "198.51.100.41", "admin"], // Failed none for invalid user: Palisade's
  ["auth_success", "192.0.2.50", "deploy"],
  null, // pam_unix(sshd:session)
  null, // sshd-session Accepted: sshd-success-logs filters on program sshd only
  [F, "192.0.2.52", "alice"],
  [F, "192.0.2.53", "bob"],
  [F, "192.0.2.53", "bob"], // listed in DenyUsers: Palisade's (the hub only reads AllowUsers)
  ["", "198.51.100.77"], // Bad protocol version: parsed, no log_type (hub node has no statics)
  [F, "198.51.100.78"],
  null, // kex_exchange_identification: no address and, read alone, no session
  ["ssh_bad_keyexchange", "198.51.100.79"],
  ["ssh_bad_keyexchange", "198.51.100.80"], // no matching cipher: Palisade's (the hub node lists three algorithms)
  ["ssh_auth_timeout", "198.51.100.81"],
  ["ssh_auth_timeout", "198.51.100.82"], // OpenSSH 9.8 timeout wording: Palisade's
  ["ssh_dispatch_fatal", "198.51.100.83"],
  ["ssh_refused_conn", "198.51.100.84"],
  ["ssh_refused_conn", "198.51.100.85"],
  ["", "198.51.100.86"], // Disconnected from IP: SSHD_DISC_PREAUTH, no statics
  null, // Disconnected from user (normal logout)
  [F, "198.51.100.87"],
  [F, "2001:db8:0:1::42", "test"],
  [F, "::ffff:198.51.100.88", "root"],
  null, // rhost is a host name: unparsed, reason hostname
  null,
  null,
  null, // CRON
  null, // sudo
  [F, "198.51.100.90", "admin"],
  [F, "198.51.100.91", "root"],
];

function verdict(e: Event | null | undefined): Want {
  if (!e) return null;
  const user = e.Meta.target_user ?? e.Meta.user;
  const w: [string, string, string?] = [e.Meta.log_type ?? "", e.Meta.source_ip ?? ""];
  if (user !== undefined) w.push(user);
  return w;
}

describe("sshd: every hub node", () => {
  const lines = fixture("sshd-variants.log");
  it("has one verdict per fixture line", () => expect(lines).toHaveLength(VARIANTS.length));
  lines.forEach((line, i) => {
    it(`line ${i + 1}: ${line.slice(37, 100)}`, () => {
      expect(verdict(parse(line))).toEqual(VARIANTS[i]);
    });
  });

  it("sets the Meta a CrowdSec ssh scenario alert carries", () => {
    const e = parse(
      "Feb 12 14:10:21 sd-126005 sshd[16378]: Invalid user pascal from 35.188.49.176 port 53502",
    );
    expect(e?.Meta).toEqual({
      log_type: F,
      service: "ssh",
      source_ip: "35.188.49.176",
      target_user: "pascal",
      machine: "sd-126005",
      timestamp: "2026-02-12T14:10:21Z",
      datasource_path: "/var/log/auth.log",
      datasource_type: "file",
    });
    expect(e?.Parsed.sshd_invalid_user).toBe("pascal");
    expect(e?.Parsed.sshd_client_ip).toBe("35.188.49.176");
  });

  it("captures the grok fields of each node into Parsed", () => {
    expect(
      parse(
        "Apr  6 18:51:41 eve sshd[2]: Failed password for invalid user root from 192.168.1.2 port 51182 ssh2",
      )?.Parsed,
    ).toMatchObject({
      sshd_invalid_user: "root",
      sshd_port: "51182",
      sshd_protocol: "ssh2",
    });
    expect(
      parse(
        "Nov 2 15:40:14 w sshd[2]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.33.63.160  user=workshop",
      )?.Parsed,
    ).toMatchObject({
      pam_type: "unix",
      uid: "0",
      euid: "0",
      sshd_invalid_user: "workshop",
    });
    const ok = parse(
      "Sep  6 09:57:21 bullseye sshd[581]: Accepted publickey for vagrant from 192.168.121.1 port 56296 ssh2: RSA SHA256:1M4R",
    );
    expect(ok?.Parsed).toMatchObject({
      sshd_auth_user: "vagrant",
      sshd_client_port: "56296",
      sshd_trail: ": RSA SHA256:1M4R",
    });
    expect(ok?.Meta.user).toBe("vagrant");
    expect(ok?.Meta.target_user).toBeUndefined();
  });

  it("tags banner-exchange failures with extra_log_type", () => {
    const e = parse(
      "Dec  1 18:59:33 h sshd[1]: banner exchange: Connection from 59.91.122.57 port 34388: invalid format",
    );
    expect(e?.Meta.extra_log_type).toBe("ssh_bad_banner");
  });
});

// sshd-hostile.log: user names and banners written by the attacker.
const HOSTILE: Want[] = [
  [F, "203.0.113.50"], // empty user: no target_user, as CrowdSec skips empty statics
  [F, "203.0.113.50"],
  [F, "203.0.113.51", "x from 6.6.6.6 port 22"],
  [F, "203.0.113.51", "x from 6.6.6.6 port 22 ssh2"],
  [F, "203.0.113.51", "x from 6.6.6.6 port 22 ssh2"],
  [F, "203.0.113.52", "john smith"],
  [F, "203.0.113.52", "john smith"],
  [F, "203.0.113.52", "john smith"],
  [F, "203.0.113.53", "Failed password for root from 6.6.6.6 port 22 ssh2:"],
  ["", "203.0.113.54"],
  [F, "203.0.113.55", "1.2.3.4"],
  [F, "203.0.113.56", "' OR 1=1 --"],
  [F, "203.0.113.57", "<script>alert(1)</script>"],
  ["ssh_refused_conn", "203.0.113.58"],
  null, // rhost=6.6.6.6.evil.example: a host name, not the address 6.6.6.6
  null, // 999.1.1.1 is no address
  [F, "203.0.113.59", "admin"],
  [F, "203.0.113.60", "\\x00\\xff\\ufffd"],
];

describe("sshd: attacker-written text never becomes the source", () => {
  const lines = fixture("sshd-hostile.log");
  it("has one verdict per fixture line", () => expect(lines).toHaveLength(HOSTILE.length));
  lines.forEach((line, i) => {
    it(`line ${i + 1}: ${line.slice(37, 110)}`, () => {
      const e = parse(line);
      expect(verdict(e)).toEqual(HOSTILE[i]);
      expect(e?.Meta.source_ip).not.toBe("6.6.6.6");
    });
  });

  it("reads binary bytes and U+FFFD in a user name without losing the peer", () => {
    const user = "\u0000\u00ff\ufffd\u0007 ";
    const e = parse(`Mar  3 10:00:18 h sshd[1]: Invalid user ${user}from 203.0.113.61 port 1`);
    expect(e?.Meta.source_ip).toBe("203.0.113.61");
    expect(e?.Meta.target_user).toBe(user.trimEnd());
  });
});
