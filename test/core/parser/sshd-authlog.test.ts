import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Event } from "../../../src/core/event";
import { parseIp } from "../../../src/core/ip";
import { parserFor } from "../../../src/core/parser/index";
import { recognised } from "./syslog-support";

// A real three-week Ubuntu auth.log (elastic/examples, see ../shared/corpus/SOURCES.md).
const path = new URL(
  "../../../../shared/corpus/elastic-examples/suspicious_login_activity_auth.log",
  import.meta.url,
);
const present = existsSync(path);

/** sshd messages that carry an authentication attempt or its outcome. */
const AUTH_EVENT =
  /(?:^|\[ )(?:Failed \S+ for |Invalid user |Accepted \S+ for |pam_unix\(sshd:auth\): authentication failure;)/;

/**
 * sshd message shapes CrowdSec's hub sshd parsers ignore (no node matches), seen in
 * this file. They stay unparsed so scenarios count exactly what CrowdSec counts.
 */
const HUB_IGNORED = [
  /^pam_unix\(sshd:auth\): check pass; user unknown$/,
  /^pam_unix\(sshd:session\): session (?:opened|closed) for user /,
  /^Received disconnect from /,
  /^Disconnecting: Too many authentication failures \[preauth\]$/,
  /^input_userauth_request: invalid user .* \[preauth\]$/,
  /^PAM \d+ more authentication failures?; /,
  /^PAM service\(sshd\) ignoring max retries; /,
  /^error: maximum authentication attempts exceeded for /,
  /^Connection from \S+ port \d+ on \S+ port \d+$/,
  /^Did not receive identification string from /,
  /^Starting session: /,
  /^Server listening on /,
  /^Received signal 15; terminating\.$/,
  /^fatal: Unable to negotiate with .*: no matching cipher found\./,
  /^error: Received disconnect from /,
  /^Connection closed by \S+ port \d+$/,
  /^Disconnected from user \S+ /,
  /^error: PAM: /,
  /^subsystem request for sftp/,
  /^syslogin_perform_logout: /,
  /^User child is on pid \d+$/,
  /^Close session: user /,
];

const LINE = /^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ ([^[:]+)(?:\[\d+\])?: (.*)$/;

describe.skipIf(!present)("sshd: a real auth.log", () => {
  const parser = parserFor("syslog");
  const lines = present
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [];
  const parsed = lines.map((l) =>
    parser?.parse(
      l,
      { src: "auth.log", module: "file", labels: { type: "syslog" } },
      { now: Date.UTC(2017, 5, 1) },
    ),
  );
  const results = lines.map((l, i) => ({
    line: l,
    program: LINE.exec(l)?.[1] ?? "?",
    message: LINE.exec(l)?.[2] ?? "",
    evt: recognised(parsed[i]) as Event | null,
  }));

  it("parses every line as syslog: none of this real file is malformed", () => {
    const unparsed = lines.filter((_, i) => !parsed[i]);
    expect(unparsed).toEqual([]);
    const cron = parsed.find((e) => e?.Parsed.program === "CRON");
    expect(cron?.Meta.log_type).toBeUndefined();
    expect(cron?.Meta.machine).toBe("ip-10-77-20-248");
  });

  it("reads every line and parses only sshd", () => {
    expect(results).toHaveLength(7121);
    const byProgram = new Map<string, [number, number]>();
    for (const r of results) {
      const c = byProgram.get(r.program) ?? [0, 0];
      c[0]++;
      if (r.evt) c[1]++;
      byProgram.set(r.program, c);
    }
    expect(Object.fromEntries(byProgram)).toEqual({
      sshd: [4095, 2101],
      CRON: [1264, 0],
      sudo: [557, 0],
      "systemd-logind": [452, 0],
      chpasswd: [417, 0],
      systemd: [238, 0],
      useradd: [50, 0],
      su: [45, 0],
      groupadd: [3, 0],
    });
  });

  it("parses every sshd line that carries an auth event", () => {
    const auth = results.filter((r) => r.program === "sshd" && AUTH_EVENT.test(r.message));
    // 713 Failed password, 4 Failed publickey, 178 Invalid user, 226 Accepted, 343 pam_unix.
    expect(auth.length).toBe(713 + 4 + 178 + 226 + 343);
    expect(auth.filter((r) => !r.evt).map((r) => r.line)).toEqual([]);
    const types = new Map<string, number>();
    for (const r of results) {
      const t = r.evt?.Meta.log_type ?? (r.evt ? "(none)" : undefined);
      if (t) types.set(t, (types.get(t) ?? 0) + 1);
    }
    expect(Object.fromEntries(types)).toEqual({
      // 713 Failed password (331 invalid user) + 4 Failed publickey + 178 Invalid user
      // + 343 pam_unix auth failures + 303 + 8 preauth closes/resets.
      "ssh_failed-auth": 1549,
      auth_success: 226, // 190 password + 36 publickey
      ssh_bad_keyexchange: 1,
      "(none)": 325, // Disconnected from IP port N (hub SSHD_DISC_PREAUTH) + Bad protocol version
    });
  });

  it("leaves only message shapes the hub ignores unparsed", () => {
    const unparsed = results.filter((r) => r.program === "sshd" && !r.evt);
    const unknown = unparsed.filter((r) => !HUB_IGNORED.some((re) => re.test(r.message)));
    expect(unknown.map((r) => r.line)).toEqual([]);
    expect(unparsed.length).toBe(4095 - 2101);
  });

  it("takes every source from the line, a valid IP", () => {
    for (const r of results) {
      if (!r.evt) continue;
      const ip = r.evt.Meta.source_ip ?? "";
      expect(parseIp(ip), r.line).toBeDefined();
      expect(r.line).toContain(ip);
    }
    const brute = results.filter((r) => r.evt?.Meta.source_ip === "34.204.227.175");
    // 43 attempts with an empty user name: Invalid user, pam_unix, Connection closed (all
    // three parsed by CrowdSec too) and Failed password, which CrowdSec's USERNAME grok
    // cannot read when the name is empty; Palisade reads it (see sshd-rules.ts).
    expect(brute.length).toBe(4 * 43);
    expect(brute.every((r) => r.evt?.Meta.target_user === undefined)).toBe(true);
  });
});
