import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LineOrigin } from "../../../src/core/event";
import { parserFor } from "../../../src/core/parser/index";
import { decodeUtf8 } from "../../../src/core/parser/journald";
import { recognised } from "./syslog-support";

const origin: LineOrigin = { src: "journald", module: "journald", labels: { type: "journald" } };
const journald = parserFor("journald");
const lines = readFileSync(
  new URL("../../fixtures/parser/syslog/journald.jsonl", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter((l) => l !== "");
const parse = (l: string) =>
  recognised(journald?.parse(l, origin, { now: 0, timezone: "Europe/Paris" }));
const events = lines.map(parse);

describe("journald: journalctl -o json", () => {
  it("routes entries to the syslog program parsers", () => {
    expect(events.map((e) => e?.Meta.log_type ?? null)).toEqual([
      "ssh_failed-auth",
      "ssh_failed-auth",
      "ssh_failed-auth",
      null, // sshd-session Accepted: the hub's success parser reads program sshd only
      "auth_success",
      null, // CRON
      "postfix",
      "dovecot_logs",
      null, // kernel
    ]);
  });

  it("builds the same fields a syslog line would, from the journal fields", () => {
    const e = events[0];
    expect(e?.Parsed).toMatchObject({
      program: "sshd",
      pid: "48211",
      logsource: "syslog",
      message: "Invalid user ubnt from 203.0.113.9 port 53122",
      sshd_invalid_user: "ubnt",
      timestamp8601: "2024-04-12T08:53:20.123456Z",
    });
    expect(e?.Meta).toMatchObject({
      machine: "web-02",
      source_ip: "203.0.113.9",
      target_user: "ubnt",
      service: "ssh",
      timestamp: "2024-04-12T08:53:20.123456Z",
      datasource_path: "journald",
      datasource_type: "journald",
    });
    // The journal's µs clock is absolute: the timezone option does not apply.
    expect(e?.Time).toBe(Date.UTC(2024, 3, 12, 8, 53, 20, 123));
    expect(e?.Line.Raw).toBe(lines[0]);
    expect(e?.Unmarshaled.journald).toMatchObject({ _SYSTEMD_UNIT: "ssh.service" });
  });

  it("decodes a MESSAGE sent as bytes (not valid UTF-8)", () => {
    const e = events[2];
    expect(e?.Parsed.message).toBe("Invalid user \ufffd\ufffdadmé from 203.0.113.9 port 53124");
    expect(e?.Meta.target_user).toBe("\ufffd\ufffdadmé");
    expect(e?.Meta.source_ip).toBe("203.0.113.9");
  });

  it("falls back to _COMM and _PID, and rejects entries it cannot place", () => {
    const base = { __REALTIME_TIMESTAMP: "1712912000123456", _HOSTNAME: "h" };
    const msg = "Failed password for root from 192.0.2.9 port 22 ssh2";
    const fallback = parse(JSON.stringify({ ...base, _COMM: "sshd", _PID: "7", MESSAGE: msg }));
    expect(fallback?.Parsed).toMatchObject({ program: "sshd", pid: "7" });
    for (const bad of [
      { ...base, MESSAGE: msg }, // no program
      { ...base, SYSLOG_IDENTIFIER: "sshd" }, // no message
      { _HOSTNAME: "h", SYSLOG_IDENTIFIER: "sshd", MESSAGE: msg }, // no time
      { ...base, SYSLOG_IDENTIFIER: "sshd", MESSAGE: [256, 1] }, // not bytes
      { ...base, SYSLOG_IDENTIFIER: "sshd", MESSAGE: null },
    ]) {
      expect(parse(JSON.stringify(bad))).toBeNull();
    }
    for (const bad of ["", "{", "[1,2]", "null", '"text"', "Feb 12 14:10:21 h sshd[1]: x"]) {
      expect(parse(bad)).toBeNull();
    }
  });

  it("decodes UTF-8, each bad sequence as one U+FFFD", () => {
    const bytes = (s: string) => [...Buffer.from(s, "utf8")];
    expect(decodeUtf8(bytes("héllo 😀"))).toBe("héllo 😀");
    expect(decodeUtf8([0xc0, 0x80, 0xed, 0xa0, 0x80, 0xe2, 0x82])).toBe("\ufffd\ufffd\ufffd\ufffd");
    expect(decodeUtf8([1.5])).toBeUndefined();
  });
});

describe("journald: web servers' entries (journalctl -u nginx)", () => {
  it("reads an nginx entry as the file's access line, with the line's own time", () => {
    const entry = {
      __REALTIME_TIMESTAMP: "1770905428000000",
      _HOSTNAME: "web1",
      SYSLOG_IDENTIFIER: "nginx",
      _PID: "12",
      MESSAGE:
        '198.51.100.18 - - [12/Feb/2026:14:10:27 +0000] "GET /phpmyadmin/ HTTP/1.1" 404 153 "-" "Mozilla/5.0"',
    };
    const e = parse(JSON.stringify(entry));
    expect(e?.Meta).toMatchObject({
      log_type: "http_access-log",
      source_ip: "198.51.100.18",
      http_status: "404",
      http_path: "/phpmyadmin/",
      machine: "web1",
    });
    expect(e?.Parsed.static_ressource).toBe("false");
    expect(new Date(e?.Time ?? 0).toISOString()).toBe("2026-02-12T14:10:27.000Z");
    expect(e?.Unmarshaled.journald).toEqual(entry);
  });
});
