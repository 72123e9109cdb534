import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Event, LineOrigin } from "../../../src/core/event";
import { compileExpr } from "../../../src/core/expr/index";
import { parserFor } from "../../../src/core/parser/index";
import { parseKv } from "../../../src/core/parser/postfix";
import { recognised } from "./syslog-support";

const origin: LineOrigin = { src: "/var/log/mail.log", module: "file", labels: { type: "syslog" } };
const syslog = parserFor("syslog");
const lines = readFileSync(
  new URL("../../fixtures/parser/syslog/postfix.log", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter((l) => l !== "");
const events = lines.map((l) =>
  recognised(syslog?.parse(l, origin, { now: Date.UTC(2026, 0, 1) })),
);
const at = (n: number): Event | null => events[n - 1] ?? null;

describe("postfix: hub postfix-logs and postscreen-logs fields", () => {
  it("parses the messages a hub node reads, and the session summary with failed AUTHs", () => {
    const parsed = events.flatMap((e, i) => (e ? [i + 1] : []));
    expect(parsed).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17]);
    // Line 4, `disconnect from … auth=0/1`: no hub node; Palisade's (postfix-extra.ts).
    expect(at(4)?.Meta).toMatchObject({ log_type_enh: "auth-failed", source_ip: "185.220.101.33" });
  });

  it("marks SASL failures and lost connections as spam attempts", () => {
    for (const n of [2, 3, 5, 6, 12, 13]) {
      expect(at(n)?.Meta).toMatchObject({
        log_type: "postfix",
        service: "postfix",
        log_type_enh: "spam-attempt",
      });
    }
    expect(at(2)?.Meta).toMatchObject({
      source_ip: "185.220.101.33",
      source_hostname: "unknown",
      machine: "mx1",
    });
    expect(at(2)?.Parsed.message_failure).toBe(" UGFzc3dvcmQ6");
    expect(at(5)?.Parsed.program).toBe("postfix/submission/smtpd");
    expect(at(5)?.Meta.source_hostname).toBe("mail-ed1-f54.example.com");
    expect(at(6)?.Meta.source_ip).toBe("45.148.10.81"); // lower-case mechanism, grok's (?i)
    expect(at(13)?.Parsed.smtp_response).toBe("DATA (0 bytes)");
  });

  it("reads NOQUEUE rejects: action, reason and the k=v tail", () => {
    expect(at(7)?.Meta).toMatchObject({
      action: "reject",
      reason: "Relay access denied",
      source_ip: "80.94.95.206",
    });
    expect(at(7)?.Parsed).toMatchObject({
      command: "RCPT",
      smtp_return_codes: "554 5.7.1",
      smtp_basic_status_code: "554",
      smtp_enhanced_status_code: "5.7.1",
      helo: "spameri@tiscali.it",
      kvItems:
        "from=<spameri@tiscali.it> to=<spameri@tiscali.it> proto=ESMTP helo=<WIN-CLJ1B0GQ6JP>",
    });
    expect(at(7)?.Unmarshaled.postfix).toEqual({
      from: "<spameri@tiscali.it>",
      to: "<spameri@tiscali.it>",
      proto: "ESMTP",
      helo: "<WIN-CLJ1B0GQ6JP>",
    });
    expect(at(8)?.Meta.reason).toBe("Helo command rejected: need fully-qualified hostname");
    // RBL rejects start with "Service unavailable;": no <addr>: shape, so no meta.reason.
    expect(at(9)?.Meta.action).toBe("reject");
    expect(at(9)?.Meta.reason).toBeUndefined();
    // As with grok's greedy reason, a client HELO holding "; " stretches the reason.
    expect(at(17)?.Meta.reason).toMatch(/^Recipient address rejected: .*helo=<x$/);
  });

  it("reads non-SMTP commands and postscreen PREGREET", () => {
    expect(at(11)?.Meta.log_type_enh).toBe("non-smtp-command");
    expect(at(11)?.Parsed.command).toBe("GET / HTTP/1.1");
    expect(at(14)?.Meta).toMatchObject({
      service: "postscreen",
      source_ip: "193.32.162.30",
      pregreet: "PREGREET",
    });
    expect(at(14)?.Meta.log_type).toBeUndefined();
    expect(at(14)?.Parsed).toMatchObject({ count: "11", time_attempt: "0.09", port: "51234" });
  });

  it("parses k=v pairs like CrowdSec's ParseKV", () => {
    expect(parseKv('a=1 b="x \\" y" c= d')).toEqual({ a: "1", b: 'x \\" y', c: "" });
    expect(parseKv("no pairs here")).toBeUndefined();
  });
});

const scenarios = new URL(
  "../../../../shared/corpus/crowdsec-hub-rules/scenarios/crowdsecurity/",
  import.meta.url,
);

describe.skipIf(!existsSync(scenarios))(
  "postfix: the hub scenario filters select the right lines",
  () => {
    const filter = (file: string, name: string) => {
      const docs = readFileSync(new URL(file, scenarios), "utf8")
        .split(/^---$/m)
        .map((d) => parseYaml(d));
      const doc = docs.find((d) => d?.name === name) as { filter: string };
      const r = compileExpr(doc.filter);
      if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("; "));
      return (n: number) => r.value.run({ evt: at(n) }) === true;
    };
    const selected = (f: (n: number) => boolean) =>
      events.flatMap((e, i) => (e && f(i + 1) ? [i + 1] : []));

    it("postfix-spam, relay-denied, helo-rejected, non-smtp-command, postscreen-rbl", () => {
      expect(selected(filter("postfix-spam.yaml", "crowdsecurity/postfix-spam"))).toEqual([
        2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 17,
      ]);
      expect(
        selected(filter("postfix-relay-denied.yaml", "crowdsecurity/postfix-relay-denied")),
      ).toEqual([7]);
      expect(
        selected(filter("postfix-helo-rejected.yaml", "crowdsecurity/postfix-helo-rejected")),
      ).toEqual([8]);
      expect(
        selected(filter("postfix-non-smtp-command.yaml", "crowdsecurity/postfix-non-smtp-command")),
      ).toEqual([11]);
      expect(selected(filter("postfix-spam.yaml", "crowdsecurity/postscreen-rbl"))).toEqual([14]);
    });
  },
);
