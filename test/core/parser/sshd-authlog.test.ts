import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Event } from "../../../src/core/event";
import { parseIp } from "../../../src/core/ip";
import { ParseState, parserFor } from "../../../src/core/parser/index";
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
 * sshd message shapes that are no event (neither the hub's sshd parsers nor Palisade's
 * forms read them), seen in this file: sessions, housekeeping, and lines that repeat what
 * another line of the same session already reported (`input_userauth_request`, `check
 * pass`). `Received disconnect` is an event only after failures of its session.
 */
const NOT_EVENTS = [
  /^pam_unix\(sshd:auth\): check pass; user unknown$/,
  /^pam_unix\(sshd:session\): session (?:opened|closed) for user /,
  /^Received disconnect from /,
  /^input_userauth_request: invalid user .* \[preauth\]$/,
  /^PAM service\(sshd\) ignoring max retries; /,
  /^Connection from \S+ port \d+ on \S+ port \d+$/,
  /^Starting session: /,
  /^Server listening on /,
  /^Received signal 15; terminating\.$/,
  /^error: Received disconnect from /,
  /^Connection closed by \S+ port \d+$/,
  /^Disconnected from user \S+ /,
  /^subsystem request for sftp/,
  /^syslogin_perform_logout: /,
  /^User child is on pid \d+$/,
  /^Close session: user /,
];

const LINE = /^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ ([^[:]+)(?:\[(\d+)\])?: (.*)$/;

describe.skipIf(!present)("sshd: a real auth.log", () => {
  const parser = parserFor("syslog");
  const lines = present
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [];
  // One stream, as `palisade parse` and `replay` read it: sshd sessions carry over.
  const state = new ParseState();
  const parsed = lines.map((l) =>
    parser?.parse(
      l,
      { src: "auth.log", module: "file", labels: { type: "syslog" } },
      { now: Date.UTC(2017, 5, 1) },
      state,
    ),
  );
  const results = lines.map((l, i) => ({
    line: l,
    program: LINE.exec(l)?.[1] ?? "?",
    pid: LINE.exec(l)?.[2] ?? "",
    message: LINE.exec(l)?.[3] ?? "",
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
      // 2,101 lines the hub's sshd parsers read, and 536 more Palisade reads (below).
      sshd: [4095, 2637],
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
      // As the hub reads them: 713 Failed password (331 invalid user) + 4 Failed publickey
      // + 178 Invalid user + 343 pam_unix auth failures + 303 + 8 preauth closes/resets
      // = 1,549. Palisade's summaries (sub_type summary) = 519: 189 maximum authentication
      // attempts, 139 PAM N more failures, 2 Received disconnect after failures, and 189
      // Disconnecting: Too many authentication failures, whose address is the session's.
      "ssh_failed-auth": 1549 + 519,
      auth_success: 226, // 190 password + 36 publickey
      ssh_bad_keyexchange: 1 + 3, // the hub's kex node, and 3 Palisade reads: no matching cipher
      ssh_no_identification: 14, // Did not receive identification string (Palisade)
      "(none)": 325, // Disconnected from IP port N (hub SSHD_DISC_PREAUTH) + Bad protocol version
    });
    const summaries = results.filter((r) => r.evt?.Meta.sub_type === "summary");
    expect(summaries).toHaveLength(519);
  });

  it("leaves only message shapes the hub ignores unparsed", () => {
    const unparsed = results.filter((r) => r.program === "sshd" && !r.evt);
    const unknown = unparsed.filter((r) => !NOT_EVENTS.some((re) => re.test(r.message)));
    expect(unknown.map((r) => r.line)).toEqual([]);
    expect(unparsed.length).toBe(4095 - 2637);
  });

  it("takes every source from the line, or from an earlier line of the same sshd process", () => {
    let attributed = 0;
    results.forEach((r, i) => {
      if (!r.evt) return;
      const ip = r.evt.Meta.source_ip ?? "";
      expect(parseIp(ip), r.line).toBeDefined();
      if (r.evt.Parsed.sshd_session !== "attributed") {
        expect(r.line).toContain(ip);
        return;
      }
      attributed++;
      expect(r.line).not.toContain(ip);
      const earlier = results.slice(Math.max(0, i - 50), i).filter((x) => x.pid === r.pid);
      expect(
        earlier.some((x) => x.line.includes(` ${ip} `)),
        r.line,
      ).toBe(true);
    });
    // Every `Disconnecting: Too many authentication failures [preauth]` of this file.
    expect(attributed).toBe(189);
    const brute = results.filter(
      (r) =>
        r.evt?.Meta.source_ip === "34.204.227.175" &&
        r.evt.Meta.log_type === "ssh_failed-auth" &&
        r.evt.Meta.sub_type === undefined,
    );
    // 43 attempts with an empty user name: Invalid user, pam_unix, Connection closed (all
    // three parsed by CrowdSec too) and Failed password, which CrowdSec's USERNAME grok
    // cannot read when the name is empty; Palisade reads it (see sshd-rules.ts).
    expect(brute.length).toBe(4 * 43);
    expect(brute.every((r) => r.evt?.Meta.target_user === undefined)).toBe(true);
  });
});
