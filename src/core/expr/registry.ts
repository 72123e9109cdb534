import { LANG_BUILTINS } from "./builtins";
import type { FnDef, Site } from "./call-site";
import type { Ctx } from "./compile-context";
import { PREDICATE_BUILTINS } from "./grammar";
import { DATA_HELPERS } from "./helpers-data";
import { NET_HELPERS } from "./helpers-net";
import { TEXT_HELPERS } from "./helpers-text";
import { newRuntime } from "./runtime";

/** Every function an expression calls by name: expr's builtins and CrowdSec's helpers. */

export const REGISTRY: Readonly<Record<string, FnDef>> = Object.freeze(
  Object.assign(Object.create(null), LANG_BUILTINS, TEXT_HELPERS, NET_HELPERS, DATA_HELPERS),
);

const NO_CLOCK =
  "core has no wall clock: compare event times (evt.Time, ms since the epoch) instead";
const NEEDS_LAPI =
  "it needs the local API's decision database; the host may provide it as a function";

/** CrowdSec helpers Palisade knows about but does not implement, and why. */
export const UNSUPPORTED: Readonly<Record<string, string>> = {
  now: NO_CLOCK,
  date: NO_CLOCK,
  TimeNow: NO_CLOCK,
  GetFromStash: "the stash (state shared between log lines, used by parsers) is not implemented",
  SetInStash: "the stash (state shared between log lines, used by parsers) is not implemented",
  CrowdsecCTI: "CTI lookups need the network",
  LookupHost: "DNS lookups need the network",
  Hostname: "core has no host name",
  GetDecisionsCount: NEEDS_LAPI,
  GetDecisionsSinceCount: NEEDS_LAPI,
  GetActiveDecisionsCount: NEEDS_LAPI,
  GetActiveDecisionsTimeLeft: NEEDS_LAPI,
  XMLGetNodeValue: "XML helpers (Windows event logs) are not implemented",
  XMLGetAttributeValue: "XML helpers (Windows event logs) are not implemented",
  ParseKVLax: "lax key=value parsing (UniFi CEF parser) is not implemented",
  GeoIPEnrich: "GeoIP databases are not bundled",
  GeoIPASNEnrich: "GeoIP databases are not bundled",
  GeoIPRangeEnrich: "GeoIP databases are not bundled",
  LibInjectionIsSQLI: "libinjection (AppSec) is not implemented",
  LibInjectionIsXSS: "libinjection (AppSec) is not implemented",
};

export function knownFunctionNames(): string[] {
  return [...Object.keys(REGISTRY), ...PREDICATE_BUILTINS];
}

/**
 * A one-argument helper of the registry as a plain function of its argument, for a caller
 * that already has the argument's value (a guard index reading event fields itself). It
 * throws what the call in an expression would throw; not memoised.
 */
export function helperFunction(name: string, ctx: Ctx): ((v: unknown) => unknown) | null {
  const def = REGISTRY[name];
  if (!def?.call || def.min > 1 || def.max < 1 || Object.hasOwn(ctx.functions, name)) return null;
  const call = def.call;
  const site: Site = { name, data: ctx.data, state: null };
  const rt = newRuntime(0, 0);
  return (v) => call(rt, site, v, undefined, undefined, undefined);
}
