import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Event } from "../../../src/core/event";
import { parserFor } from "../../../src/core/parser/index";

const FIXTURES = resolve(import.meta.dirname, "../../fixtures/parser/http");
const read = (name: string) =>
  readFileSync(`${FIXTURES}/${name}`, "utf8").split("\n").filter(Boolean);
const clf = read("traefik-clf.log");
const json = read("traefik-json.log");
const NOW = Date.UTC(2026, 10, 27);
const ORIGIN = { src: "/var/log/traefik/access.log", module: "file", labels: { type: "traefik" } };

function parse(line: string): Event | null {
  const parser = parserFor("traefik");
  if (!parser) throw new Error("no traefik parser");
  return parser.parse(line, ORIGIN, { now: NOW });
}

function must(line: string | undefined): Event {
  const evt = parse(line as string);
  expect(evt, `should parse: ${line}`).not.toBeNull();
  return evt as Event;
}

describe("traefik CLF access log", () => {
  it("parses the CLF line with traefik's extra columns", () => {
    const e = must(clf[0]);
    expect(e.Parsed).toMatchObject({
      remote_addr: "192.0.2.10",
      request: "/index.php",
      http_args: "id=1",
      number_of_requests_received_since_traefik_started: "17",
      traefik_router_name: "web@docker",
      traefik_router_name_root: "web@docker",
      traefik_server_url: "http://10.0.0.3:8080",
      request_duration_in_ms: "3",
      // the router grok runs last and reports URIHOST's nested `port` (empty here)
      port: "",
    });
    expect(e.Meta).toMatchObject({
      user: "-",
      traefik_router_name: "web@docker",
      http_path: "/index.php?id=1",
      timestamp: "2026-02-12T14:10:21Z",
    });
    // a lone router is no chain: the root meta is only set when there is a leaf
    expect(e.Meta.traefik_router_name_root).toBeUndefined();
  });

  it("splits a router chain into root, intermediate and leaf", () => {
    const e = must(clf[1]);
    expect(e.Meta).toMatchObject({
      traefik_router_name_root: "edge@file",
      traefik_router_name_intermediate: "auth@file",
      traefik_router_name_leaf: "api@docker",
      user: "alice",
      timestamp: "2026-02-12T14:10:22+01:00",
    });
    expect(must(clf[3]).Meta).toMatchObject({
      traefik_router_name_root: "front@docker",
      traefik_router_name_leaf: "back@docker",
    });
    expect(must(clf[3]).Parsed.http_version).toBe("2");
  });

  it("accepts '-' status and size (requests traefik did not route)", () => {
    const e = must(clf[2]);
    expect(e.Parsed).toMatchObject({
      status: "-",
      body_bytes_sent: "-",
      traefik_router_name_root: "-",
    });
    expect(e.Meta.http_status).toBe("-");
  });

  it("keeps the line when the router name is not a chain, with the server URL's port", () => {
    const e = must(clf[4]);
    expect(e.Parsed.traefik_router_name_root).toBeUndefined();
    expect(e.Parsed.port).toBe("80");
  });
});

describe("traefik JSON access log", () => {
  it("unmarshals the line into Unmarshaled.traefik, numbers staying numbers", () => {
    const e = must(json[0]);
    const t = e.Unmarshaled.traefik as Record<string, unknown>;
    expect(t.DownstreamStatus).toBe(404);
    expect(t.Duration).toBe(2500000);
    expect(t.ServiceURL).toEqual({ Scheme: "http", Host: "10.0.0.7:8080" });
    expect(t["request_User-Agent"]).toBe("WPScan v3.8");
  });

  it("derives CrowdSec's parsed and meta fields from the JSON", () => {
    const e = must(json[0]);
    expect(e.Parsed).toMatchObject({
      remote_addr: "192.0.2.20",
      dest_addr: "192.0.2.20",
      request_addr: "shop.example.org",
      service_addr: "10.0.0.7",
      http_user_agent: "WPScan v3.8",
      body_bytes_sent: "1234",
      request_duration_in_ms: "2500000",
      time_local: "2026-02-12T15:10:21+01:00",
      verb: "GET",
      request: "/wp-login.php",
      http_args: "redirect_to=%2F",
      http_version: "2.0",
      status: "404",
    });
    expect(e.Meta).toMatchObject({
      target_fqdn: "shop.example.org",
      source_ip: "192.0.2.20",
      http_status: "404",
      timestamp: "2026-02-12T15:10:21+01:00",
    });
    expect(e.Time).toBe(Date.UTC(2026, 1, 12, 14, 10, 21));
  });

  it("takes the last address of an X-Forwarded ClientHost chain", () => {
    const e = must(json[1]);
    expect(e.Meta.source_ip).toBe("2001:db8::5");
    expect(e.Parsed.dest_addr).toBe("[2001"); // Split(ClientAddr, ':')[0], as in CrowdSec
    expect(e.Meta).toMatchObject({
      traefik_router_name_root: "edge@file",
      traefik_router_name_intermediate: "mid1@file -> mid2@file",
      traefik_router_name_leaf: "api@file",
    });
  });

  it("parses a minimal line; absent fields are simply not set", () => {
    const e = must(json[2]);
    expect(e.Parsed.service_addr).toBeUndefined();
    expect(e.Parsed.body_bytes_sent).toBeUndefined();
    expect(e.Meta.target_fqdn).toBeUndefined();
    expect(e.Meta.timestamp).toBe("2026-02-12T14:10:23.5Z");
    expect(e.Time).toBe(Date.UTC(2026, 1, 12, 14, 10, 23, 500));
  });

  it("applies int() to strings and floats, and uses now when there is no time", () => {
    const e = must(json[7]);
    expect(e.Parsed).toMatchObject({ status: "503", request_duration_in_ms: "1" });
    expect(e.Meta.timestamp).toBeUndefined();
    expect(e.Time).toBe(NOW);
  });

  it("fails a DEBUG line, a non-chain router, a boolean field, a non-IP client and bad JSON", () => {
    for (const i of [3, 4, 5, 6, 8, 9, 10])
      expect(parse(json[i] as string), `line ${i + 1}`).toBeNull();
  });
});
