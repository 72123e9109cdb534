import type { Env } from "../env";

/**
 * The edge's settings, read from the Worker's vars and secrets (wrangler.toml, .dev.vars,
 * `wrangler secret put`). A malformed value is logged once (`palisade.config.invalid`,
 * naming the var, the value and what is expected) and the default is used, so a typo
 * never takes the site down.
 */

export type EdgeVars = Pick<
  Env,
  | "ORIGIN_URL"
  | "FAIL_MODE"
  | "TURNSTILE_SITEKEY"
  | "TURNSTILE_SECRET"
  | "TURNSTILE_VERIFY_URL"
  | "BLOCKLIST_REFRESH_MS"
  | "BLOCKLIST_STALE_MS"
  | "IPV6_PREFIX"
  | "CLEARANCE_TTL_S"
  | "CLEARANCE_KEY"
  | "PALISADE_ADMIN_TOKEN"
>;

/** Vars set on top of the env's; `undefined` unsets one (e.g. ORIGIN_URL for the route's origin). */
export type EdgeVarOverrides = { [K in keyof EdgeVars]?: EdgeVars[K] | undefined };

export interface EdgeConfig {
  /** Where clean visitors go; undefined: the route's own origin (`fetch(request)`). */
  originUrl: URL | undefined;
  /**
   * What happens when no blocklist can be enforced (none loaded yet, or refreshes failing
   * past BLOCKLIST_STALE_MS): let visitors through or answer 503.
   */
  failMode: "open" | "closed";
  turnstileSitekey: string | undefined;
  turnstileSecret: string | undefined;
  turnstileVerifyUrl: string;
  refreshMs: number;
  /** After the first load, how old the copy may get while refreshes fail before the fail mode applies. */
  staleMs: number;
  ipv6Prefix: number;
  clearanceTtlS: number;
  /** HMAC key material for the clearance cookie, and where it came from. */
  clearanceKey: { secret: string; source: "CLEARANCE_KEY" | "PALISADE_ADMIN_TOKEN" } | undefined;
}

export const DEFAULT_VERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

const cache = new WeakMap<object, EdgeConfig>();

/** The config for these vars, parsed once per vars object (the Worker's env is reused across requests). */
export function edgeConfig(vars: EdgeVars): EdgeConfig {
  let cfg = cache.get(vars);
  if (!cfg) {
    cfg = parseConfig(vars);
    cache.set(vars, cfg);
  }
  return cfg;
}

function parseConfig(v: EdgeVars): EdgeConfig {
  return {
    originUrl: originUrl(v.ORIGIN_URL),
    failMode: failMode(v.FAIL_MODE),
    turnstileSitekey: nonEmpty(v.TURNSTILE_SITEKEY),
    turnstileSecret: nonEmpty(v.TURNSTILE_SECRET),
    turnstileVerifyUrl: verifyUrl(v.TURNSTILE_VERIFY_URL),
    refreshMs: integer("BLOCKLIST_REFRESH_MS", v.BLOCKLIST_REFRESH_MS, 10_000, 0, 3_600_000),
    staleMs: integer("BLOCKLIST_STALE_MS", v.BLOCKLIST_STALE_MS, 900_000, 1_000, 7 * 86_400_000),
    ipv6Prefix: integer("IPV6_PREFIX", v.IPV6_PREFIX, 64, 0, 128),
    clearanceTtlS: integer("CLEARANCE_TTL_S", v.CLEARANCE_TTL_S, 3600, 60, 30 * 86_400),
    clearanceKey: clearanceKey(v),
  };
}

function invalid(name: string, value: string, expected: string, fallback: unknown): void {
  console.error("palisade.config.invalid", {
    var: name,
    value,
    message: `${name}=${JSON.stringify(value)} is not ${expected}; using ${JSON.stringify(fallback)}. Fix it in wrangler.toml [vars] (or the secret).`,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function originUrl(value: string | undefined): URL | undefined {
  const v = nonEmpty(value);
  if (v === undefined) return undefined;
  try {
    const url = new URL(v);
    if (url.protocol === "http:" || url.protocol === "https:") return url;
  } catch {
    // reported below
  }
  invalid("ORIGIN_URL", v, "an http(s) URL", "the route's own origin");
  return undefined;
}

function failMode(value: string | undefined): "open" | "closed" {
  const v = nonEmpty(value)?.toLowerCase() ?? "open";
  if (v === "open" || v === "closed") return v;
  invalid("FAIL_MODE", value ?? "", "open or closed", "open");
  return "open";
}

function verifyUrl(value: string | undefined): string {
  const v = nonEmpty(value);
  if (v === undefined) return DEFAULT_VERIFY_URL;
  try {
    new URL(v);
    return v;
  } catch {
    invalid("TURNSTILE_VERIFY_URL", v, "a URL", DEFAULT_VERIFY_URL);
    return DEFAULT_VERIFY_URL;
  }
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = nonEmpty(value);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (/^\d+$/.test(v) && n >= min && n <= max) return n;
  invalid(name, v, `an integer from ${min} to ${max}`, fallback);
  return fallback;
}

function clearanceKey(v: EdgeVars): EdgeConfig["clearanceKey"] {
  const own = nonEmpty(v.CLEARANCE_KEY);
  if (own) return { secret: own, source: "CLEARANCE_KEY" };
  const admin = nonEmpty(v.PALISADE_ADMIN_TOKEN);
  if (admin) {
    console.warn("palisade.config.clearance_key", {
      message:
        "CLEARANCE_KEY is not set; the captcha clearance cookie is signed with a key derived from PALISADE_ADMIN_TOKEN. Set it: wrangler secret put CLEARANCE_KEY.",
    });
    return { secret: admin, source: "PALISADE_ADMIN_TOKEN" };
  }
  return undefined;
}

const merged = new WeakMap<object, WeakMap<object, EdgeVars>>();

/** The env's vars with `overrides` on top, built once per (env, overrides) pair so `edgeConfig` caches it. */
export function varsWith(env: EdgeVars, overrides: EdgeVarOverrides | undefined): EdgeVars {
  if (!overrides) return env;
  let byEnv = merged.get(overrides);
  if (!byEnv) {
    byEnv = new WeakMap();
    merged.set(overrides, byEnv);
  }
  let vars = byEnv.get(env);
  if (!vars) {
    vars = { ...env, ...overrides } as EdgeVars;
    byEnv.set(env, vars);
  }
  return vars;
}
