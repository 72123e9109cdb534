import { describe, expect, it } from "vitest";
import { ahead, c, GrokMatcher, grok, raw } from "../../../src/core/parser/http-grok";
import { HTTPDATE, IPORHOST, NUMBER, URI } from "../../../src/core/parser/http-patterns";

const W = raw("\\w+");

describe("grok composition (grokky's semantics)", () => {
  it("reports one group per name: a pattern's own name beats a sub-pattern's, the last one wins", () => {
    const inner = grok`${c("a", W)}-${c("b", W)}`;
    const outer = grok`${inner} ${c("b", W)} ${c("c", W)} ${c("c", W)}`;
    const m = new GrokMatcher(outer);
    const into: Record<string, string> = {};
    const found = m.exec("x-y z p q");
    expect(found).not.toBeNull();
    m.assign(found as RegExpExecArray, into);
    expect(into).toEqual({ a: "x", b: "z", c: "q" });
  });

  it("reports a duplicated name from its last group even when that group did not match", () => {
    const alt = grok`${grok`A${c("v", W)}`}|${grok`B${c("v", W)}`}`;
    const m = new GrokMatcher(alt);
    const into: Record<string, string> = {};
    m.assign(m.exec("Afoo") as RegExpExecArray, into);
    expect(into).toEqual({ v: "" });
  });

  it("surfaces nested semantics such as URIHOST's port", () => {
    const m = new GrokMatcher(grok`${c("url", URI)}`);
    const into: Record<string, string> = {};
    m.assign(m.exec("http://10.0.0.3:8080/x") as RegExpExecArray, into);
    expect(into).toEqual({ url: "http://10.0.0.3:8080/x", port: "8080" });
  });

  it("rejects a raw source with capture groups (a porting bug)", () => {
    expect(() => raw("(a)")).toThrow(/capture groups/);
    expect(() => raw("(?:a)[(]\\(")).not.toThrow();
  });

  it("keeps lookaheads out of the RE2 source", () => {
    const p = grok`${ahead("[^ ]+ ")}${c("x", W)}`;
    expect(p.src).toContain("(?=");
    expect(p.re2).not.toContain("(?=");
  });
});

describe("GrokMatcher search (grok patterns are unanchored)", () => {
  const access = new GrokMatcher(
    grok`${c("ip", IPORHOST)} - \[${c("t", HTTPDATE)}\] ${c("n", NUMBER)}`,
    { guarded: true },
  );
  const line = "1.2.3.4 - [12/Feb/2026:14:10:21 +0000] 42";

  it("matches at the start, or from a later token start", () => {
    expect(access.exec(line)?.[1]).toBe("1.2.3.4");
    expect(access.exec(`junk  ${line}`)?.[1]).toBe("1.2.3.4");
    expect(access.exec(`stdout F ${line}`)?.[1]).toBe("1.2.3.4");
  });

  it("does not search inside a token (documented difference from Go)", () => {
    expect(access.exec(`x_${line}`)).toBeNull();
  });

  it("answers long lines through the linear-time RE2 guard", () => {
    const long = `${line} ${"a".repeat(10_000)}`;
    expect(access.exec(long)?.[3]).toBe("42");
    expect(access.exec(`${"b".repeat(10_000)} ${line}`)).toBeNull();
  });

  it("matches IPv6 and hostnames the way IPORHOST does", () => {
    expect(access.exec("2001:db8::1 - [12/Feb/2026:14:10:21 +0000] 1")?.[1]).toBe("2001:db8::1");
    expect(access.exec("::ffff:10.0.0.1 - [12/Feb/2026:14:10:21 +0000] 1")?.[1]).toBe(
      "::ffff:10.0.0.1",
    );
    expect(access.exec("host.example - [12/Feb/2026:14:10:21 +0000] 1")?.[1]).toBe("host.example");
    // grokky's IPV6 zone suffix (%.+) is not supported: no address matches here
    expect(access.exec("fe80::1%eth0 - [12/Feb/2026:14:10:21 +0000] 1")).toBeNull();
  });
});
