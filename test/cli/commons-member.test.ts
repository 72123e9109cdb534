import { describe, expect, it } from "vitest";
import { palisade } from "./run";

// `palisade commons join|sharing` and `palisade ip`: the mistakes an operator can make
// before anything is sent (the calls themselves are in test/e2e/commons-members.test.ts).

const conn = ["--url", "http://127.0.0.1:9", "--token", "t0ken-for-the-test"];

describe("palisade commons join|sharing, palisade ip: user errors", () => {
  it("join without --key names it, why and the fix, exit 1, no stack trace", () => {
    const r = palisade(["commons", "join", "--commons", "https://commons.example.net", ...conn]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/commons join needs --key/);
    expect(r.stderr).toMatch(/enrollment key/);
    expect(r.stderr).toMatch(
      /palisade commons join --commons https:\/\/commons\.example\.net --key KEY/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("sharing takes on or off, and says which value was wrong", () => {
    const r = palisade(["commons", "sharing", "--alerts", "maybe", ...conn]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--alerts "maybe" is not on or off/);
    expect(r.stderr).toMatch(/--alerts on or --alerts off/);
  });

  it("ip needs an address; an unreachable Worker is a what/why/fix error", () => {
    const none = palisade(["ip", ...conn]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/IP/);
    const down = palisade(["ip", "192.0.2.7", ...conn]);
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/192\.0\.2\.7/);
    expect(down.stderr).not.toMatch(/\n\s+at /);
  });

  it("the commons noun's help shows the member's commands and the operator's", () => {
    const r = palisade(["commons", "help"]);
    expect(r.stdout + r.stderr).toMatch(/commons join --commons URL --key ENROLLMENT_KEY/);
    expect(r.stdout + r.stderr).toMatch(/commons keys add/);
  });
});
