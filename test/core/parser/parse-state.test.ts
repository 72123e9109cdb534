// The parser's memory of sshd sessions: bounded in size and in log time, and never
// carrying an address from one connection to another.
import { describe, expect, it } from "vitest";
import { ParseState, parserFor } from "../../../src/core/parser/index";

const syslog = parserFor("syslog");
const origin = { src: "auth.log", module: "file", labels: { type: "syslog" } };
const opts = { now: Date.UTC(2026, 10, 27), year: 2026 };

function stamp(s: number): string {
  const d = new Date(Date.UTC(2026, 2, 3, 10, 0, 0) + s * 1000);
  const hms = d.toISOString().slice(11, 19);
  return `Mar  3 ${hms}`;
}

function parse(state: ParseState, s: number, pid: number, msg: string) {
  const evt = syslog?.parse(`${stamp(s)} bastion sshd[${pid}]: ${msg}`, origin, opts, state);
  return { ip: evt?.Meta.source_ip, reason: state.reason };
}

const KEX = "error: kex_exchange_identification: Connection closed by remote host";

describe("ParseState: sshd sessions", () => {
  it("holds at most maxSessions sessions, the least recently touched going first", () => {
    const state = new ParseState({ maxSessions: 100 });
    for (let pid = 1; pid <= 10_000; pid++) {
      parse(
        state,
        0,
        pid,
        `Connection from 198.51.100.${pid % 250} port 4000 on 192.0.2.1 port 22`,
      );
    }
    expect(state.sessionCount).toBe(100);
    // pid 9950 is among the last 100: still known; pid 1 was evicted.
    expect(parse(state, 1, 9950, KEX).ip).toBe(`198.51.100.${9950 % 250}`);
    expect(parse(state, 1, 1, KEX)).toEqual({ ip: undefined, reason: "no-address" });
  });

  it("holds 4,096 sessions by default, whatever the stream's length", () => {
    const state = new ParseState();
    for (let pid = 1; pid <= 50_000; pid++) parse(state, 0, pid, `Invalid user x from 203.0.113.9`);
    expect(state.sessionCount).toBe(4096);
  });

  it("forgets a session idle longer than its time to live (log time)", () => {
    const state = new ParseState({ ttlMs: 60_000 });
    parse(state, 0, 700, "Connection from 198.51.100.70 port 4000 on 192.0.2.1 port 22");
    expect(parse(state, 30, 700, KEX).ip).toBe("198.51.100.70");
    expect(parse(state, 200, 700, KEX)).toEqual({ ip: undefined, reason: "no-address" });
  });

  it("never gives a new connection under a reused pid the old connection's address", () => {
    const state = new ParseState();
    parse(state, 0, 800, "Failed password for root from 198.51.100.80 port 4000 ssh2");
    parse(
      state,
      1,
      800,
      "Connection closed by authenticating user root 198.51.100.80 port 4000 [preauth]",
    );
    // The pid is reused by another client whose first line carries no address.
    expect(parse(state, 2, 800, KEX)).toEqual({ ip: undefined, reason: "no-address" });
    // Its close names the new address: the pending noise is attributed to it.
    expect(parse(state, 2, 800, "Connection closed by 203.0.113.81 port 5000").ip).toBe(
      "203.0.113.81",
    );
  });

  it("drops what a session knew when another address appears under its pid", () => {
    const state = new ParseState();
    parse(state, 0, 900, "Failed password for root from 198.51.100.90 port 4000 ssh2");
    parse(state, 1, 900, "Connection from 203.0.113.91 port 5000 on 192.0.2.1 port 22");
    expect(
      parse(state, 2, 900, "Disconnecting: Too many authentication failures [preauth]").ip,
    ).toBe("203.0.113.91");
    // A disconnect after no failure of its own is no summary.
    expect(
      parse(state, 3, 901, "Connection from 203.0.113.92 port 5000 on 192.0.2.1 port 22").ip,
    ).toBeUndefined();
    expect(
      parse(state, 4, 901, "Received disconnect from 203.0.113.92 port 5000:11: Bye Bye [preauth]")
        .ip,
    ).toBeUndefined();
  });

  it("ends a session with sshd's fatal line", () => {
    const state = new ParseState();
    parse(state, 0, 1000, "Connection from 198.51.100.100 port 4000 on 192.0.2.1 port 22");
    expect(
      parse(state, 1, 1000, "fatal: Unable to negotiate a key exchange method [preauth]").ip,
    ).toBe("198.51.100.100");
    expect(parse(state, 2, 1000, KEX)).toEqual({ ip: undefined, reason: "no-address" });
  });

  it("keys sessions by host and pid: another host's same pid is another session", () => {
    const state = new ParseState();
    parse(state, 0, 1100, "Connection from 198.51.100.110 port 4000 on 192.0.2.1 port 22");
    const other = syslog?.parse(`${stamp(1)} otherhost sshd[1100]: ${KEX}`, origin, opts, state);
    expect(other).toBeNull();
    expect(state.reason).toBe("no-address");
  });
});
