import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Event } from "../../../src/core/event";
import { parserFor } from "../../../src/core/parser/index";

const FIXTURES = resolve(import.meta.dirname, "../../fixtures/parser/http");
const lines = readFileSync(`${FIXTURES}/nginx-edge.log`, "utf8").split("\n").filter(Boolean);
const ORIGIN = { src: "/var/log/nginx/access.log", module: "file", labels: { type: "nginx" } };

function parse(line: string): Event | null {
  const parser = parserFor("nginx");
  if (!parser) throw new Error("no nginx parser");
  return parser.parse(line, ORIGIN, { now: Date.UTC(2026, 10, 27) });
}

function fixture(n: number): Event {
  const evt = parse(lines[n - 1] as string);
  expect(evt, `fixture line ${n} should parse`).not.toBeNull();
  return evt as Event;
}

describe("nginx access log", () => {
  it("parses a combined line into CrowdSec's fields, s00 and s02 included", () => {
    const e = fixture(1);
    expect(e.Parsed).toMatchObject({
      message: lines[0],
      program: "nginx",
      remote_addr: "198.51.100.7",
      remote_user: "-",
      time_local: "12/Feb/2026:14:10:21 +0000",
      verb: "GET",
      request: "/index.html",
      http_version: "1.1",
      status: "200",
      body_bytes_sent: "5120",
      http_referer: "https://example.org/",
      http_user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
      // grok reports every semantic of the pattern, unmatched ones as ""
      target_fqdn: "",
      port: "",
      request_length: "",
      file_dir: "/",
      file_frag: "index",
      file_ext: ".html",
      file_name: "index.html",
      static_ressource: "false",
      impact_completion: "true",
    });
    expect(e.Meta).toEqual({
      datasource_path: "/var/log/nginx/access.log",
      datasource_type: "file",
      log_type: "http_access-log",
      service: "http",
      source_ip: "198.51.100.7",
      http_status: "200",
      http_path: "/index.html",
      http_verb: "GET",
      http_user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
      http_args_len: "0",
      timestamp: "2026-02-12T14:10:21Z",
    });
    expect(e.Enriched.MarshaledTime).toBe("2026-02-12T14:10:21Z");
    expect(e.Time).toBe(Date.UTC(2026, 1, 12, 14, 10, 21));
    expect(e.Whitelisted).toBe(false);
  });

  it("takes a vhost prefix as target_fqdn and splits the query string off the request", () => {
    const e = fixture(2);
    expect(e.Parsed).toMatchObject({
      target_fqdn: "www.example.org",
      remote_addr: "198.51.100.8",
      request: "/solr/admin/info/system",
      http_args: "wt=json",
      file_name: "system",
    });
    expect(e.Meta).toMatchObject({
      target_fqdn: "www.example.org",
      http_path: "/solr/admin/info/system?wt=json",
      http_args_len: "7",
      timestamp: "2026-02-12T14:10:22-07:00",
    });
    expect(e.Time).toBe(Date.UTC(2026, 1, 12, 21, 10, 22));
  });

  it("reads a host:port prefix and flags static resources case-insensitively", () => {
    const e = fixture(3);
    expect(e.Parsed).toMatchObject({ target_fqdn: "www.example.org", port: "443" });
    expect(e.Parsed).toMatchObject({ file_ext: ".JS", static_ressource: "true" });
    expect(e.Meta.timestamp).toBe("2026-02-12T14:10:23+01:00");
  });

  it("accepts IPv6 clients and marks 404s as not impact-complete", () => {
    const e = fixture(4);
    expect(e.Meta.source_ip).toBe("2001:db8::7");
    expect(e.Parsed).toMatchObject({ impact_completion: "false", file_dir: "/.git/" });
  });

  it("handles a remote user, a missing user field, and ingress-nginx upstream columns", () => {
    expect(fixture(5).Parsed.remote_user).toBe("user.name@example.org");
    const noUser = fixture(6);
    expect(noUser.Parsed.remote_user).toBe("");
    expect(noUser.Meta.source_ip).toBe("198.51.100.11");
    expect(fixture(7).Parsed).toMatchObject({
      request_length: "512",
      request_time: "0.003",
      proxy_upstream_name: "default-app-80",
      proxy_alternative_upstream_name: "",
    });
  });

  it("rejects an unterminated user-agent quote and a '-' byte count, as CrowdSec's grok does", () => {
    expect(parse(lines[7] as string)).toBeNull();
    expect(parse(lines[8] as string)).toBeNull();
  });

  it("parses a malformed (binary) request line with the malformed-request node", () => {
    const e = fixture(10);
    expect(e.Parsed.request).toBe("\\x16\\x03\\x01\\x00\\xA5\\x01\\x00\\x00\\xA1\\x03\\x03");
    expect(e.Parsed.verb).toBeUndefined();
    expect(e.Meta).toMatchObject({ http_status: "400", log_type: "http_access-log" });
    // no "/" in the request: http-logs' path node fails, so no file fields
    expect(e.Parsed.file_dir).toBeUndefined();
    expect(e.Meta.http_args_len).toBeUndefined();
  });

  it("keeps nginx's \\x22 escapes verbatim", () => {
    expect(fixture(11).Parsed.http_user_agent).toBe("Mozilla/5.0 \\x22quoted\\x22");
  });

  it("finds the match after a prefix the pattern does not expect (grok is unanchored)", () => {
    const e = fixture(12);
    expect(e.Parsed).toMatchObject({ target_fqdn: "", remote_addr: "198.51.100.17" });
    expect(e.Parsed.file_name).toBeUndefined();
    expect(e.Parsed).toMatchObject({ file_dir: "/wp-admin/", file_frag: "" });
  });
});

describe("nginx error log", () => {
  it("tags 'limiting requests' with sub_type req_limit_exceeded", () => {
    const e = fixture(13);
    expect(e.Meta).toMatchObject({
      log_type: "http_error-log",
      sub_type: "req_limit_exceeded",
      source_ip: "198.51.100.18",
      target_fqdn: "example.org",
      http_path: "/api/items?page=2",
      timestamp: "2026-02-12T14:10:33Z",
    });
    expect(e.Parsed).toMatchObject({ cid: "987", loglevel: "error", request: "/api/items" });
    expect(e.Meta.http_status).toBeUndefined();
  });

  it("tags basic-auth failures with sub_type auth_fail and the username", () => {
    expect(fixture(14).Meta).toMatchObject({ sub_type: "auth_fail", username: "admin" });
    const mismatch = fixture(15);
    expect(mismatch.Meta).toMatchObject({ sub_type: "auth_fail", username: "root" });
    expect(mismatch.Meta.source_ip).toBe("2001:db8::20");
  });

  it("parses other error lines without a sub_type; lines without a client are unparsed", () => {
    const e = fixture(16);
    expect(e.Meta.sub_type).toBeUndefined();
    expect(e.Parsed.message).toBe(
      'open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory)',
    );
    expect(parse(lines[16] as string)).toBeNull();
  });
});

describe("nginx-proxy-manager lines sent to the nginx parser", () => {
  it("parses the NPMplus format", () => {
    expect(fixture(18).Parsed).toMatchObject({
      target_fqdn: "shop.example.org",
      remote_addr: "198.51.100.22",
      request_time: "0.012",
      bytes_sent: "1024",
      http_user_agent: "Mozilla/5.0",
    });
  });

  it("parses the proxy-manager format with cache status", () => {
    expect(fixture(19).Parsed).toMatchObject({
      upstream_cache_status: "-",
      upstream_status: "404",
      status: "200",
      scheme: "https",
      remote_addr: "198.51.100.23",
      target_server: "",
    });
  });
});
