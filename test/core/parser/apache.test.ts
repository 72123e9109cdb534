import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Event } from "../../../src/core/event";
import { apacheAuthFailure } from "../../../src/core/parser/apache-auth";
import { parserFor } from "../../../src/core/parser/index";

const FIXTURES = resolve(import.meta.dirname, "../../fixtures/parser/http");
const lines = readFileSync(`${FIXTURES}/apache-edge.log`, "utf8").split("\n").filter(Boolean);
const NOW = Date.UTC(2026, 10, 27);
const ORIGIN = { src: "/var/log/apache2/access.log", module: "file", labels: { type: "apache2" } };

function parse(line: string): Event | null {
  const parser = parserFor("apache2");
  if (!parser) throw new Error("no apache2 parser");
  return parser.parse(line, ORIGIN, { now: NOW });
}

function fixture(n: number): Event {
  const evt = parse(lines[n - 1] as string);
  expect(evt, `fixture line ${n} should parse`).not.toBeNull();
  return evt as Event;
}

describe("apache2 access log", () => {
  it("parses a combined line with COMMONAPACHELOG's field names", () => {
    const e = fixture(1);
    expect(e.Parsed).toMatchObject({
      program: "apache2",
      clientip: "203.0.113.7",
      ident: "-",
      auth: "-",
      timestamp: "12/Feb/2026:14:10:21 +0000",
      verb: "GET",
      request: "/index.html",
      httpversion: "1.1",
      rawrequest: "",
      response: "200",
      bytes: "5120",
      referrer: "https://example.org/",
      http_user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
    });
    expect(e.Meta).toMatchObject({
      log_type: "http_access-log",
      service: "http",
      source_ip: "203.0.113.7",
      http_status: "200",
      http_path: "/index.html",
      http_verb: "GET",
      timestamp: "2026-02-12T14:10:21Z",
    });
  });

  it("parses the common format (no referer/agent) with an auth user and a -0700 offset", () => {
    const e = fixture(2);
    expect(e.Parsed).toMatchObject({ auth: "frank", referrer: "", http_user_agent: "" });
    expect(e.Meta.http_user_agent).toBeUndefined();
    expect(e.Meta).toMatchObject({ http_args_len: "17", timestamp: "2026-02-12T14:10:22-07:00" });
    expect(e.Time).toBe(Date.UTC(2026, 1, 12, 21, 10, 22));
  });

  it("reads vhost and vhost:port prefixes and a '-' byte count", () => {
    const e = fixture(3);
    expect(e.Parsed).toMatchObject({ target_fqdn: "shop.example.org", port: "", bytes: "" });
    expect(e.Parsed).toMatchObject({ file_ext: ".PNG", static_ressource: "true" });
    const port = fixture(4);
    expect(port.Parsed).toMatchObject({ target_fqdn: "shop.example.org", port: "8443" });
    expect(port.Parsed).toMatchObject({ file_frag: ".env", file_ext: "", file_name: ".env" });
    expect(port.Meta.timestamp).toBe("2026-02-12T14:10:24+05:30");
  });

  it("splits at the last '?' and takes the extension from the last '.', as the greedy groks do", () => {
    const e = fixture(5);
    expect(e.Meta.source_ip).toBe("2001:db8::42");
    expect(e.Parsed).toMatchObject({
      request: "/a/b.c/d.tar.gz?x=1",
      http_args: "y=2",
      file_dir: "/a/b.c/",
      file_frag: "d.tar",
      file_ext: ".gz?x=1",
      file_name: "d.tar.gz?x=1",
    });
  });

  it("keeps escaped quotes in the request, and stops the agent at one (NOTDQUOTE)", () => {
    const e = fixture(6);
    expect(e.Parsed.http_args).toBe('s=\\"quoted\\"');
    expect(e.Parsed.http_user_agent).toBe("Mozilla/5.0 \\");
  });

  it("parses a line whose agent quote is unterminated, without referer and agent", () => {
    const e = fixture(7);
    expect(e.Parsed).toMatchObject({ request: "/feed", bytes: "235", referrer: "" });
    expect(e.Meta.http_user_agent).toBeUndefined();
  });

  it("falls back to rawrequest for http_path on a binary request line", () => {
    const e = fixture(8);
    expect(e.Parsed).toMatchObject({
      verb: "",
      request: "",
      rawrequest: "\\x16\\x03\\x01\\x00\\xa5\\x01",
    });
    expect(e.Meta.http_path).toBe("\\x16\\x03\\x01\\x00\\xa5\\x01");
  });

  it("rejects a hostname client (no IP to decide on) and finds a client after a '_' prefix", () => {
    expect(parse(lines[8] as string)).toBeNull();
    expect(fixture(10).Meta.source_ip).toBe("203.0.113.14");
  });

  it("stamps an impossible date with the caller's now, as CrowdSec stamps it with its clock", () => {
    const e = fixture(18);
    expect(e.Parsed.timestamp).toBe("31/Feb/2026:14:10:38 +0000");
    expect(e.Time).toBe(NOW);
    expect(e.Meta.timestamp).toBe("2026-11-27T00:00:00Z");
  });
});

describe("apache2 error log", () => {
  it("tags a basic-auth unknown user with sub_type auth_fail, username and path", () => {
    const e = fixture(11);
    expect(e.Meta).toMatchObject({
      log_type: "http_error-log",
      sub_type: "auth_fail",
      username: "bob",
      http_path: "/private",
      source_ip: "203.0.113.15",
      timestamp: "2026-02-12T14:10:31.123456Z",
    });
    expect(e.Parsed).toMatchObject({
      module: "auth_basic",
      clientport: "50229",
      errorcode: "AH01618",
    });
    expect(e.Time).toBe(Date.UTC(2026, 1, 12, 14, 10, 31, 123));
  });

  it("tags a password mismatch auth_fail; grok's last-group rule leaves username empty", () => {
    const e = fixture(12);
    expect(e.Meta.sub_type).toBe("auth_fail");
    expect(e.Parsed.username).toBe("");
    expect(e.Meta.username).toBeUndefined();
    expect(e.Meta.timestamp).toBe("2026-02-12T14:10:32.5Z");
  });

  it("tags invalid URIs, denied clients and stopped SSL handshakes", () => {
    expect(fixture(13).Meta).toMatchObject({
      sub_type: "invalid_uri",
      http_path: "/%2e%2e/etc/passwd",
    });
    expect(fixture(14).Meta).toMatchObject({
      sub_type: "permission_denied",
      http_path: "/var/www/secret",
    });
    const ssl = fixture(15);
    expect(ssl.Meta.sub_type).toBe("ssl_handshake_stopped");
    expect(ssl.Parsed).toMatchObject({
      proxy_errorcode: "70014",
      proxy_errormessage: "End of file found",
    });
  });

  it("reads Apache 2.2 lines CrowdSec's grok leaves without an address; no client, no event", () => {
    // 2.0 format: the hub grok's 2.4 `client` group is empty, so CrowdSec has no source;
    // Palisade reads it (apache-error.ts) with its own time.
    const e = parse(lines[15] as string);
    expect(e?.Meta).toMatchObject({
      log_type: "http_error-log",
      source_ip: "203.0.113.20",
      sub_type: "permission_denied",
      http_path: "/var/www/old",
    });
    expect(e?.Meta.timestamp).toBe("2026-02-12T14:10:36Z");
    expect(parse(lines[16] as string)).toBeNull();
  });
});

describe("auth_basic sub-grok by index arithmetic", () => {
  // The grok as a backtracking regex; grokky reports the last group of each name.
  const GROK =
    /user ([^:]+): authentication failure for "([^"]+)": Password Mismatch|user ([^:]+) not found: "?([^"]+)"?/;
  const piece = fc.constantFrom(
    "user ",
    "bob",
    "a b",
    ":",
    ": ",
    " not found",
    ": authentication failure for ",
    '"',
    '": Password Mismatch',
    "/x",
    " ",
  );

  it("finds what the regex finds, on any mix of its literals", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
        const msg = parts.join("");
        const m = GROK.exec(msg);
        const want = m ? { username: m[3] ?? "", target_uri: m[4] ?? "" } : null;
        expect(apacheAuthFailure(msg)).toEqual(want);
      }),
      { numRuns: 5000 },
    );
  });

  it("stays linear on a header full of 'user ' with no colon", () => {
    const msg = `user x ${"user x ".repeat(20_000)}`;
    expect(apacheAuthFailure(msg)).toBeNull();
    expect(apacheAuthFailure(`${msg} not found: /p`)).toEqual({
      username: msg.slice(5),
      target_uri: "/p",
    });
  });
});
