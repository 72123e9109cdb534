import { afterEach, describe, expect, it, vi } from "vitest";
import { configOf, MIN_SUBREQUEST_BUDGET } from "../../src/config";
import { sourceKeyOf } from "../../src/durable/tracker/index";

// The Worker's config (src/config.ts): one rule per variable, read once per vars object,
// a broken value logged with the variable, the value, the rule and the fix, and its
// default used.

afterEach(() => vi.restoreAllMocks());

function logged(spy: ReturnType<typeof vi.spyOn>): string[] {
  return spy.mock.calls.map((c: unknown[]) => {
    const fields = c[1] as { var: string; message: string };
    return `${c[0]} ${fields.var}: ${fields.message}`;
  });
}

describe("configOf", () => {
  it("reads every variable once, with the defaults of an empty env", () => {
    const vars = {};
    const cfg = configOf(vars);
    expect(configOf(vars)).toBe(cfg);
    expect(cfg).toMatchObject({
      failMode: "open",
      refreshMs: 10_000,
      ipv6Prefix: 64,
      clearanceTtlS: 3_600,
      subrequestBudget: 40,
      maxIngestBytes: 5 * 1024 * 1024,
      kvFlushMs: 1_000,
      originUrl: undefined,
      clearanceKey: undefined,
      edgeDetection: { enabled: true, sampleOneIn: 1 },
    });
  });

  it("reads EDGE_DETECTION as on, off or sample:N, anything else logged and on", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(configOf({ EDGE_DETECTION: "OFF" }).edgeDetection).toEqual({
      enabled: false,
      sampleOneIn: 1,
    });
    expect(configOf({ EDGE_DETECTION: "sample:10" }).edgeDetection).toEqual({
      enabled: true,
      sampleOneIn: 10,
    });
    for (const bad of ["sample:0", "sometimes"]) {
      expect(configOf({ EDGE_DETECTION: bad }).edgeDetection).toEqual({
        enabled: true,
        sampleOneIn: 1,
      });
    }
    expect(logged(spy)).toEqual(
      ["sample:0", "sometimes"].map(
        (v) =>
          `palisade.config.invalid EDGE_DETECTION: EDGE_DETECTION="${v}" is not on, off or sample:N (N from 1 to 999999); using "on". Fix it in wrangler.toml [vars] (or the secret).`,
      ),
    );
  });

  it("names the variable, the value, the rule and the fix of each broken value", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const cfg = configOf({
      SUBREQUEST_BUDGET: "3",
      KV_FLUSH_MS: "1e3",
      FAIL_MODE: "sometimes",
      ORIGIN_URL: "ftp://origin.test",
    });
    expect(cfg.subrequestBudget).toBe(40);
    expect(cfg.kvFlushMs).toBe(1_000);
    expect(cfg.failMode).toBe("open");
    expect(cfg.originUrl).toBeUndefined();
    expect(logged(spy)).toEqual([
      'palisade.config.invalid ORIGIN_URL: ORIGIN_URL="ftp://origin.test" is not an http(s) URL; using "the route\'s own origin". Fix it in wrangler.toml [vars] (or the secret).',
      'palisade.config.invalid FAIL_MODE: FAIL_MODE="sometimes" is not open or closed; using "open". Fix it in wrangler.toml [vars] (or the secret).',
      `palisade.config.invalid SUBREQUEST_BUDGET: SUBREQUEST_BUDGET="3" is not an integer from ${MIN_SUBREQUEST_BUDGET} to 10000; using 40. Fix it in wrangler.toml [vars] (or the secret).`,
      'palisade.config.invalid KV_FLUSH_MS: KV_FLUSH_MS="1e3" is not an integer from 0 to 3600000; using 1000. Fix it in wrangler.toml [vars] (or the secret).',
    ]);
    // The same problem in another env object of the isolate is not logged again.
    configOf({ SUBREQUEST_BUDGET: "3" });
    expect(spy).toHaveBeenCalledTimes(4);
  });

  it("gives IPV6_PREFIX one rule for the edge, the trackers and the profiles", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(configOf({ IPV6_PREFIX: "48" }).ipv6Prefix).toBe(48);
    expect(configOf({ IPV6_PREFIX: "128" }).ipv6Prefix).toBe(128);
    // 0 was accepted at the edge and refused by the trackers; the profiles refuse < 32.
    expect(configOf({ IPV6_PREFIX: "0" }).ipv6Prefix).toBe(64);
    expect(configOf({ IPV6_PREFIX: "16" }).ipv6Prefix).toBe(64);
    expect(spy).toHaveBeenCalledTimes(2);
    const prefix = configOf({ IPV6_PREFIX: "48" }).ipv6Prefix;
    expect(sourceKeyOf("2001:db8:5:6::1", prefix)).toBe("2001:db8:5::/48");
    expect(sourceKeyOf("203.0.113.9", prefix)).toBe("203.0.113.9");
  });
});
