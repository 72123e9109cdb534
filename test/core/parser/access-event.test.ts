import { describe, expect, it } from "vitest";
import type { Event } from "../../../src/core/event";
import { type AccessRecord, accessEvent, parserFor } from "../../../src/core/parser/index";

const ORIGIN = { src: "edge", module: "edge", labels: { type: "nginx", source: "edge" } };
const AT = Date.UTC(2026, 11, 5, 6, 16, 42, 250);

function record(over: Partial<AccessRecord> = {}): AccessRecord {
  return {
    sourceIp: "203.0.113.7",
    verb: "GET",
    request: "/wp-admin/setup.php?step=1&x=%20",
    status: 404,
    bytes: 153,
    referer: "https://site.example/",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
    host: "site.example",
    httpVersion: "1.1",
    time: AT,
    ...over,
  };
}

function parsed(line: string): Event {
  const evt = parserFor("nginx")?.parse(line, ORIGIN, { now: AT });
  if (!evt) throw new Error(`nginx did not parse ${line}`);
  return evt;
}

describe("accessEvent", () => {
  it("is the event the nginx parser makes of the line nginx would write", () => {
    for (const r of [
      record(),
      record({ host: "site.example:8443", status: 200, request: "/static/app.js", referer: "" }),
      record({ sourceIp: "2001:db8::1", verb: "POST", request: "/login", userAgent: "" }),
    ]) {
      const edge = accessEvent(r, ORIGIN) as Event;
      expect(edge).not.toBeNull();
      const nginx = parsed(edge.Line.Raw);
      // The edge keeps the milliseconds the access line's second-precision text loses.
      expect(edge.Time - nginx.Time).toBe(AT % 1000);
      const { timestamp: _a, ...edgeMeta } = edge.Meta;
      const { timestamp: _b, ...nginxMeta } = nginx.Meta;
      expect(edgeMeta).toEqual(nginxMeta);
      expect(edge.Parsed).toEqual(nginx.Parsed);
      expect(edge.Meta).toMatchObject({
        log_type: "http_access-log",
        service: "http",
        source_ip: r.sourceIp,
        http_status: String(r.status),
        http_verb: r.verb,
        datasource_type: "edge",
      });
    }
  });

  it("escapes quotes in the logged line but keeps the real user agent for scenarios", () => {
    const edge = accessEvent(record({ userAgent: 'sqlmap/1.7 "x"' }), ORIGIN) as Event;
    expect(edge.Line.Raw).toContain('"sqlmap/1.7 \\x22x\\x22"');
    expect(edge.Meta.http_user_agent).toBe('sqlmap/1.7 "x"');
  });

  it("drops a request without an IP source, as the parser drops such a line", () => {
    expect(accessEvent(record({ sourceIp: "unknown" }), ORIGIN)).toBeNull();
  });
});
