import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Event } from "../../../src/core/event";
import { parseIp } from "../../../src/core/ip";
import { parserFor } from "../../../src/core/parser/index";

const TYPES = ["nginx", "apache2", "traefik"] as const;
const NOW = Date.UTC(2026, 10, 27);

function parse(type: string, line: string): Event | null {
  const parser = parserFor(type);
  if (!parser) throw new Error(`no ${type} parser`);
  return parser.parse(line, { src: "-", module: "stdin", labels: { type } }, { now: NOW });
}

/** What every returned event must satisfy, whatever the input. */
function wellFormed(evt: Event | null): void {
  if (evt === null) return;
  const ip = evt.Meta.source_ip;
  expect(typeof ip).toBe("string");
  expect(parseIp(ip as string), `source_ip ${JSON.stringify(ip)}`).toBeDefined();
  expect((ip as string).trim()).toBe(ip);
  expect(Number.isFinite(evt.Time)).toBe(true);
  for (const v of Object.values(evt.Meta)) expect(typeof v).toBe("string");
  for (const v of Object.values(evt.Parsed)) expect(typeof v).toBe("string");
}

// Pieces of real log syntax, so random lines get deep into the patterns before failing.
const FRAGMENTS = [
  "1.2.3.4",
  "2001:db8::1",
  "::ffff:10.0.0.1",
  "www.example.org",
  ":443",
  " - - ",
  " - ",
  "[12/Feb/2026:14:10:21 +0000]",
  "[Thu Feb 12 14:10:21.5 2026]",
  "2026/02/12 14:10:21 [error] 1#1: *1 ",
  ' "GET /a/b.php?x=1 HTTP/1.1"',
  ' "',
  '"',
  '\\"',
  " 200 ",
  " 404 512 ",
  " -",
  ' "-" "Mozilla/5.0"',
  ", client: 1.2.3.4, server: x, request: ",
  ', host: "x"',
  ' 17 "a@docker -> b@docker" "http://10.0.0.1:80" 3ms',
  '{"ClientHost":"1.2.3.4","RouterName":"a@b","RequestPath":"/x","time":"2026-02-12T14:10:21Z"}',
  '{"ClientHost":',
  "\ufffd",
  "\u0000\u0001\u001b[31m",
  "\u2028",
  "\r",
  "%00%22'; DROP TABLE x;--",
  "$" + "{jndi:ldap://x/a}", // log4j probe text
  "<script>alert(1)</script>",
];

const hostileLine = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: "binary", maxLength: 12 })), {
    maxLength: 24,
  })
  .map((parts) => parts.join(""));

describe("HTTP parsers on arbitrary input", () => {
  it("never throw, and whatever they return has a valid source IP", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), hostileLine, (type, line) => {
        wellFormed(parse(type, line));
      }),
      { numRuns: 4000 },
    );
  });

  it("never throw when a valid line is cut and spliced with hostile text", () => {
    const valid = [
      '1.2.3.4 - - [12/Feb/2026:14:10:21 +0000] "GET /a?b=1 HTTP/1.1" 200 5 "-" "curl/8"',
      'www.x.org:443 2001:db8::1 - u [12/Feb/2026:14:10:21 +0100] "POST /p HTTP/2.0" 401 0 "r" "ua" 1 0.1 [up] []',
      '2026/02/12 14:10:21 [error] 1#1: *2 limiting requests, excess: 1 by zone "z", client: 1.2.3.4, server: s, request: "GET / HTTP/1.1", host: "h"',
      "[Thu Feb 12 14:10:21.5 2026] [auth_basic:error] [pid 1:tid 2] [client 1.2.3.4:5] AH01618: user u not found: /p",
      '1.2.3.4 - - [12/Feb/2026:14:10:21 +0000] "GET / HTTP/1.1" 200 5 "-" "-" 3 "a@d -> b@d" "http://h:1" 2ms',
      '{"ClientHost":"1.2.3.4","DownstreamStatus":200,"RequestPath":"/x","RouterName":"a@b","time":"2026-02-12T14:10:21Z"}',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES),
        fc.constantFrom(...valid),
        fc.nat(),
        fc.nat(),
        hostileLine,
        (type, line, a, b, junk) => {
          const i = a % (line.length + 1);
          const j = i + (b % (line.length - i + 1));
          wellFormed(parse(type, line.slice(0, i) + junk + line.slice(j)));
        },
      ),
      { numRuns: 4000 },
    );
  });

  it("never throw on unstructured binary strings", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.string({ unit: "binary" }), (type, line) => {
        wellFormed(parse(type, line));
      }),
      { numRuns: 2000 },
    );
  });

  it("survive huge and repetitive lines (1 MiB, and 60 KiB of pattern fragments)", () => {
    const big = [
      "x".repeat(1 << 20),
      `1.2.3.4 - - [12/Feb/2026:14:10:21 +0000] "GET /${"a".repeat(1 << 20)} HTTP/1.1" 200 1 "-" "-"`,
      `{"ClientHost":"1.2.3.4","a":${"[".repeat(30_000)}${"]".repeat(30_000)}}`,
      ...FRAGMENTS.map((f) => f.repeat(Math.ceil(60_000 / f.length))),
      ...FRAGMENTS.map(
        (f) =>
          `1.2.3.4 - - [12/Feb/2026:14:10:21 +0000] "GET / HTTP/1.1" 200 1 "-" "${f.repeat(Math.ceil(30_000 / f.length))}"`,
      ),
    ];
    for (const type of TYPES) for (const line of big) wellFormed(parse(type, line));
    // a line over the 64 KiB cap is unparsed
    expect(parse("nginx", big[1] as string)).toBeNull();
  });
});

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
const ipv6 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((h) => h.map((x) => x.toString(16)).join(":"));
const pathChar = fc.constantFrom(..."abcXYZ019-_.~%/=&+:@!$,;*'()".split(""));
const request = fc
  .tuple(fc.string({ unit: pathChar, maxLength: 30 }), fc.option(fc.string({ unit: pathChar })))
  .map(([p, q]) => `/${p}${q === null ? "" : `?${q}`}`);
const text = fc.string({
  unit: fc.constantFrom(..."abc XYZ/();.,-_:+0123456789".split("")),
  minLength: 1,
});

describe("HTTP parsers on well-formed access lines", () => {
  it("read back the client, request, status and agent of any combined line", () => {
    fc.assert(
      fc.property(
        fc.oneof(ipv4, ipv6),
        fc.constantFrom("GET", "POST", "HEAD", "PROPFIND"),
        request,
        fc.integer({ min: 100, max: 599 }),
        fc.integer({ min: 0, max: 1e9 }),
        text,
        (ip, verb, req, status, bytes, ua) => {
          const line = `${ip} - - [12/Feb/2026:14:10:21 -0700] "${verb} ${req} HTTP/1.1" ${status} ${bytes} "-" "${ua}"`;
          for (const type of ["nginx", "apache2"]) {
            const e = parse(type, line);
            expect(e, line).not.toBeNull();
            expect(e?.Meta).toMatchObject({
              source_ip: ip,
              http_verb: verb,
              http_path: req,
              http_status: String(status),
              http_user_agent: ua,
              timestamp: "2026-02-12T14:10:21-07:00",
            });
            expect(e?.Time).toBe(Date.UTC(2026, 1, 12, 21, 10, 21));
            const q = req.lastIndexOf("?");
            expect(e?.Parsed.request).toBe(q < 0 ? req : req.slice(0, q));
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
