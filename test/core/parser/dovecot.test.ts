import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Event, LineOrigin } from "../../../src/core/event";
import { compileExpr } from "../../../src/core/expr/index";
import { parserFor } from "../../../src/core/parser/index";
import { recognised } from "./syslog-support";

const origin: LineOrigin = { src: "/var/log/mail.log", module: "file", labels: { type: "syslog" } };
const syslog = parserFor("syslog");
const lines = readFileSync(
  new URL("../../fixtures/parser/syslog/dovecot.log", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter((l) => l !== "");
const events = lines.map((l) =>
  recognised(syslog?.parse(l, origin, { now: Date.UTC(2026, 0, 1) })),
);
const at = (n: number): Event | null => events[n - 1] ?? null;

describe("dovecot: hub dovecot-logs fields", () => {
  it("parses login, auth-worker and passwd-file lines; ignores the rest", () => {
    expect(events.flatMap((e, i) => (e ? [i + 1] : []))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 12]);
    for (const e of events) if (e) expect(e.Meta.log_type).toBe("dovecot_logs");
  });

  it("reads the login process line", () => {
    expect(at(1)?.Parsed).toMatchObject({
      protocol: "imap",
      dovecot_login_message: "Disconnected (auth failed, 1 attempts in 2 secs)",
      dovecot_user: "admin@example.org",
      dovecot_remote_ip: "89.248.165.52",
      dovecot_local_ip: "192.0.2.10",
    });
    expect(at(1)?.Meta).toMatchObject({
      source_ip: "89.248.165.52",
      dovecot_login_result: "auth_failed",
      machine: "mail",
    });
    expect(at(2)?.Parsed.protocol).toBe("pop3");
    expect(at(4)?.Parsed.dovecot_user).toBeUndefined(); // user=<>: empty, like grok's ""
  });

  it("says auth_failed only for failures", () => {
    const failed = events.flatMap((e, i) =>
      e?.Meta.dovecot_login_result === "auth_failed" ? [i + 1] : [],
    );
    expect(failed).toEqual([1, 2, 5, 6, 7, 8, 12]);
    expect(at(3)?.Meta.dovecot_login_result).toBeUndefined();
  });

  it("reads auth-worker and passwd-file prefixes", () => {
    expect(at(5)?.Parsed).toMatchObject({
      dovecot_user_backend: "pam",
      dovecot_user: "bob",
      auth_func: "pam_authenticate()",
      dovecot_login_message: "Authentication failure (password mismatch?)",
    });
    expect(at(6)?.Parsed).toMatchObject({
      dovecot_user_backend: "sql",
      dovecot_login_message: "Password mismatch",
    });
    expect(at(6)?.Parsed.auth_func).toBeUndefined();
    expect(at(7)?.Meta.source_ip).toBe("89.248.165.56");
    expect(at(8)?.Parsed).toMatchObject({
      dovecot_user: "erin@example.org",
      dovecot_login_message: "unknown user",
    });
  });

  it("takes the peer, not an address spelled inside the user name", () => {
    expect(at(12)?.Meta.source_ip).toBe("89.248.165.59");
    expect(at(12)?.Parsed.dovecot_user).toBe("x,6.6.6.6,");
    const login = syslog?.parse(
      "Apr 14 07:00:13 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<a>, rip=6.6.6.6, lip=1.1.1.1>, method=PLAIN, rip=89.248.165.60, lip=192.0.2.10, TLS",
      origin,
      { now: 0 },
    );
    expect(login?.Meta.source_ip).toBe("89.248.165.60");
  });
});

const scenario = new URL(
  "../../../../shared/corpus/crowdsec-hub-rules/scenarios/crowdsecurity/dovecot-spam.yaml",
  import.meta.url,
);

describe.skipIf(!existsSync(scenario))("dovecot: the hub dovecot-spam filter", () => {
  it("selects the failed logins", () => {
    const { filter } = parseYaml(readFileSync(scenario, "utf8")) as { filter: string };
    const r = compileExpr(filter);
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("; "));
    const run = r.value;
    const selected = events.flatMap((e, i) => (e && run.run({ evt: e }) === true ? [i + 1] : []));
    expect(selected).toEqual([1, 2, 5, 6, 7, 8, 12]);
  });
});
