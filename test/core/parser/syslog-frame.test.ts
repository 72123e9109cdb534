import { describe, expect, it } from "vitest";
import type { LineOrigin } from "../../../src/core/event";
import { parserFor } from "../../../src/core/parser/index";
import { frameTime, parseSyslogFrame } from "../../../src/core/parser/syslog-frame";
import { isValidTimezone } from "../../../src/core/parser/timezone";
import type { ParseOptions } from "../../../src/core/parser/types";
import { recognised } from "./syslog-support";

const origin: LineOrigin = { src: "/var/log/auth.log", module: "file", labels: { type: "syslog" } };
const NOW = Date.UTC(2026, 10, 27, 12);
const syslog = parserFor("syslog");
const parse = (line: string, opts: ParseOptions = { now: NOW }) =>
  recognised(syslog?.parse(line, origin, opts));
const INVALID = "Invalid user bob from 203.0.113.7 port 4242";

describe("syslog frame: RFC 3164", () => {
  it("reads a yearless line into CrowdSec's s00 fields", () => {
    const e = parse(`Feb 12 14:10:21 sd-126005 sshd[16378]: ${INVALID}`);
    expect(e?.Parsed).toMatchObject({
      logsource: "syslog",
      program: "sshd",
      pid: "16378",
      timestamp: "Feb 12 14:10:21",
      message: INVALID,
    });
    expect(e?.Parsed.timestamp8601).toBeUndefined();
    expect(e?.Meta).toMatchObject({
      machine: "sd-126005",
      datasource_path: "/var/log/auth.log",
      datasource_type: "file",
      timestamp: "2026-02-12T14:10:21Z",
    });
    expect(e?.Enriched.MarshaledTime).toBe("2026-02-12T14:10:21Z");
    expect(e?.Time).toBe(Date.UTC(2026, 1, 12, 14, 10, 21));
    expect(e?.Line.Raw).toBe(`Feb 12 14:10:21 sd-126005 sshd[16378]: ${INVALID}`);
  });

  it("keeps the stamp text as written (single-digit days, zero-padded days)", () => {
    expect(parse(`Apr  6 18:51:41 eve sshd[1]: ${INVALID}`)?.Parsed.timestamp).toBe(
      "Apr  6 18:51:41",
    );
    expect(parse(`Nov 2 15:40:14 eve sshd[1]: ${INVALID}`)?.Meta.timestamp).toBe(
      "2026-11-02T15:40:14Z",
    );
    expect(parse(`Aug 03 21:39:20 eve sshd[1]: ${INVALID}`)?.Meta.timestamp).toBe(
      "2026-08-03T21:39:20Z",
    );
  });

  it("gives yearless stamps opts.year, else the UTC year of opts.now", () => {
    const line = `Dec 31 23:59:59 h sshd[1]: ${INVALID}`;
    expect(parse(line, { now: NOW, year: 2019 })?.Meta.timestamp).toBe("2019-12-31T23:59:59Z");
    // 2025-01-01T00:30 in UTC is still 2024 in New York: the UTC year decides.
    const newYear = Date.UTC(2025, 0, 1, 0, 30);
    expect(parse(line, { now: newYear, timezone: "America/New_York" })?.Meta.timestamp).toBe(
      "2025-12-31T23:59:59-05:00",
    );
  });

  it("reads stamps without offset in opts.timezone, DST included", () => {
    const winter = parse(`Feb 12 14:10:21 h sshd[1]: ${INVALID}`, {
      now: NOW,
      timezone: "Europe/Paris",
    });
    expect(winter?.Meta.timestamp).toBe("2026-02-12T14:10:21+01:00");
    expect(winter?.Time).toBe(Date.UTC(2026, 1, 12, 13, 10, 21));
    const summer = parse(`Jul 12 14:10:21 h sshd[1]: ${INVALID}`, {
      now: NOW,
      timezone: "Europe/Paris",
    });
    expect(summer?.Meta.timestamp).toBe("2026-07-12T14:10:21+02:00");
    expect(summer?.Time).toBe(Date.UTC(2026, 6, 12, 12, 10, 21));
    const india = parse(`Jul 12 14:10:21 h sshd[1]: ${INVALID}`, {
      now: NOW,
      timezone: "Asia/Kolkata",
    });
    expect(india?.Meta.timestamp).toBe("2026-07-12T14:10:21+05:30");
  });

  it("accepts a leading <PRI>, a <facility.priority> tag and a year after the day", () => {
    expect(parse(`<38>Feb 12 14:10:21 h sshd[1]: ${INVALID}`)?.Meta.source_ip).toBe("203.0.113.7");
    expect(parse(`Feb 12 14:10:21 <4.6> h sshd[1]: ${INVALID}`)?.Meta.machine).toBe("h");
    const withYear = parse(`Feb 12 2024 14:10:21 h sshd[1]: ${INVALID}`);
    expect(withYear?.Parsed.timestamp).toBe("Feb 12 2024 14:10:21");
    expect(withYear?.Meta.timestamp).toBe("2024-02-12T14:10:21Z");
  });

  it("treats impossible dates as unparsed, as Go's time.Parse does", () => {
    expect(parse(`Feb 30 14:10:21 h sshd[1]: ${INVALID}`)).toBeNull();
    expect(parse(`Apr 31 14:10:21 h sshd[1]: ${INVALID}`)).toBeNull();
    expect(parse(`Feb 12 24:10:21 h sshd[1]: ${INVALID}`)).toBeNull();
    expect(parse(`Feb 29 2023 14:10:21 h sshd[1]: ${INVALID}`)).toBeNull();
    // Yearless Feb 29 is valid (Go checks year 0) and rolls over like AddDate.
    expect(parse(`Feb 29 14:10:21 h sshd[1]: ${INVALID}`)?.Meta.timestamp).toBe(
      "2026-03-01T14:10:21Z",
    );
  });
});

describe("syslog frame: ISO 8601 and RFC 5424", () => {
  it("honours the offset of an ISO stamp and keeps its fraction", () => {
    const e = parse(`2023-11-14T00:20:42.738197+01:00 myserver sshd[1112652]: ${INVALID}`, {
      now: NOW,
      timezone: "America/New_York",
    });
    expect(e?.Parsed.timestamp8601).toBe("2023-11-14T00:20:42.738197+01:00");
    expect(e?.Parsed.timestamp).toBeUndefined();
    expect(e?.Meta.timestamp).toBe("2023-11-14T00:20:42.738197+01:00");
    expect(e?.Time).toBe(Date.UTC(2023, 10, 13, 23, 20, 42, 738));
  });

  it("writes a zero offset as Z and trims fraction zeros like Go's MarshalText", () => {
    expect(parse(`2022-01-19T14:23:55+00:00 h sshd[1]: ${INVALID}`)?.Meta.timestamp).toBe(
      "2022-01-19T14:23:55Z",
    );
    expect(parse(`2022-01-19T14:23:55.500Z h sshd[1]: ${INVALID}`)?.Meta.timestamp).toBe(
      "2022-01-19T14:23:55.5Z",
    );
    const local = parse(`2022-01-19 14:23:55 h sshd[1]: ${INVALID}`, {
      now: NOW,
      timezone: "Europe/Paris",
    });
    expect(local?.Meta.timestamp).toBe("2022-01-19T14:23:55+01:00");
  });

  it("reads OPNsense's RFC 5424 form with the fields CrowdSec's second s00 node sets", () => {
    const e = parse(
      '<38>1 2022-01-19T14:23:55+00:00 OPNsense.localdomain sshd 44255 - [meta sequenceId="1"] Invalid user tutu from 1.2.3.4 port 33166',
    );
    expect(e?.Parsed).toMatchObject({
      syslog_priority: "38",
      syslog_version: "1",
      seq_id: "1",
      program: "sshd",
      pid: "44255",
      timestamp8601: "2022-01-19T14:23:55+00:00",
      message: "Invalid user tutu from 1.2.3.4 port 33166",
    });
    expect(e?.Meta.machine).toBe("OPNsense.localdomain");
    expect(e?.Meta.source_ip).toBe("1.2.3.4");
  });

  it("reads any RFC 5424 msgid and structured data", () => {
    const f = parseSyslogFrame(
      '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com sshd - ID47 [exampleSDID@32473 iut="3" eventSource="App\\"x]"][b a="1"] \uFEFFFailed password for root from 192.0.2.1 port 22 ssh2',
    );
    expect(f).toMatchObject({
      host: "mymachine.example.com",
      program: "sshd",
      pid: "",
      message: "Failed password for root from 192.0.2.1 port 22 ssh2",
      stamp: "2003-10-11T22:14:15.003Z",
    });
    expect(f && frameTime(f, { now: NOW })?.ms).toBe(Date.UTC(2003, 9, 11, 22, 14, 15, 3));
    expect(f?.rfc5424).toEqual({ priority: "34", version: "1", seqId: "" });
  });
});

describe("syslog frame: programs", () => {
  it("reads the program names the hub parsers filter on", () => {
    const frame = (prog: string) =>
      parseSyslogFrame(`Feb 12 14:10:21 host ${prog}: message`)?.program;
    expect(frame("sshd[12]")).toBe("sshd");
    expect(frame("sshd-session[12]")).toBe("sshd-session");
    expect(frame("postfix/smtpd[12]")).toBe("postfix/smtpd");
    expect(frame("postfix/submission/smtpd[12]")).toBe("postfix/submission/smtpd");
    expect(frame("dovecot")).toBe("dovecot");
    expect(frame("auth")).toBe("auth");
  });

  it("leaves lines of programs no parser reads, and messages the parser ignores, unparsed", () => {
    expect(
      parse(
        "Feb 12 14:17:01 h CRON[4242]: (root) CMD (cd / && run-parts --report /etc/cron.hourly)",
      ),
    ).toBeNull();
    expect(
      parse(
        "Feb 12 14:17:01 h sudo:   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls",
      ),
    ).toBeNull();
    expect(
      parse("Feb 12 14:17:01 h auth: Failed password for root from 192.0.2.1 port 22 ssh2"),
    ).toBeNull();
    expect(
      parse(
        "Feb 12 14:17:01 h sshd[1]: Received disconnect from 192.0.2.1 port 22:11: Bye Bye [preauth]",
      ),
    ).toBeNull();
    expect(parse(`Feb 12 14:17:01 h ${INVALID}`)).toBeNull();
    expect(parse(INVALID)).toBeNull();
  });

  it("says which zone names are valid, so callers can reject a bad --timezone", () => {
    expect(isValidTimezone("Europe/Paris")).toBe(true);
    expect(isValidTimezone("Mars/Olympus")).toBe(false);
  });
});

describe("well-formed syslog lines no program parser reads", () => {
  it("are events with the frame's fields and no log_type, so no scenario counts them", () => {
    const evt = syslog?.parse(
      "Feb 12 14:17:01 web1 CRON[4211]: (root) CMD (run-parts /etc/cron.hourly)",
      origin,
      {
        now: NOW,
      },
    );
    expect(evt?.Parsed).toMatchObject({
      program: "CRON",
      pid: "4211",
      message: "(root) CMD (run-parts /etc/cron.hourly)",
    });
    expect(evt?.Meta.machine).toBe("web1");
    expect(evt?.Meta.log_type).toBeUndefined();
    expect(evt?.Meta.source_ip).toBeUndefined();
    expect(new Date(evt?.Time ?? 0).toISOString()).toBe("2026-02-12T14:17:01.000Z");
  });
  it("while a line that is not syslog at all stays unparsed", () => {
    expect(syslog?.parse("this is not syslog", origin, { now: NOW })).toBeNull();
    expect(
      syslog?.parse("Feb 30 14:10:21 h sshd[1]: Invalid user x from 192.0.2.1", origin, {
        now: NOW,
      }),
    ).toBeNull();
  });
});
