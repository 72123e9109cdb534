import type { Allowlist } from "../core/allowlist";
import { formatDuration } from "../core/duration";
import { parseCidr } from "../core/ip";
import { PalisadeHttpError } from "../http/error";

/**
 * Admin input that is valid but almost certainly a mistake, refused unless the request
 * says `force: true` (the CLI's `--force`), with a message that says what would happen:
 * - a range so wide it blocks a large share of the internet (IPv4 wider than /8, IPv6
 *   wider than /32: `0.0.0.0/0`, `::/0`, `0.0.0.0/1`), or an allowlist entry that wide
 *   (it would lift every decision inside it and exempt it all from enforcement);
 * - a decision on an address the built-in allowlist exempts (private, loopback, …): the
 *   edge ignores it, but bouncers enforce it, so a firewall would drop your own network;
 * - a duration under a second (`1ns`): it ends before the edge or any bouncer applies it.
 */

export interface Risk {
  /** The field the risk is about (`body.range`, `body.duration`). */
  path: string;
  /** What would happen. */
  message: string;
}

/** Narrowest prefix that is not "a large share of the internet". */
const WIDE = { 4: 8, 6: 32 } as const;
/** Shorter decisions end before anything enforces them. */
export const SHORTEST_USEFUL_MS = 1_000;

export interface DecisionShape {
  scope: string;
  value: string;
  durationMs: number;
}

/** What is risky about a manual decision (`field`: where its value came from). */
export function decisionRisks(d: DecisionShape, field: string, builtin: Allowlist): Risk[] {
  const risks: Risk[] = [];
  if (d.scope === "Ip" || d.scope === "Range") {
    const wide = wideRange(d.value, `a ${d.scope === "Ip" ? "decision" : "ban"} on`);
    if (wide)
      risks.push({
        path: field,
        message: `${wide}: every visitor from it is stopped, possibly you too`,
      });
    const exempt = d.scope === "Ip" ? builtin.lookupIp(d.value) : builtin.lookupRange(d.value);
    if (exempt) {
      risks.push({
        path: field,
        message: `${d.value} ${d.scope === "Ip" ? "is" : "holds addresses"} in the built-in allowlist (${exempt.reason}, ${exempt.match}): the edge never blocks ${d.scope === "Ip" ? "it" : "those"}, but bouncers will (a firewall bouncer drops your own network's traffic)`,
      });
    }
  }
  if (d.durationMs < SHORTEST_USEFUL_MS) {
    risks.push({
      path: "body.duration",
      message: `a decision of ${formatDuration(d.durationMs)} ends before the edge (it reloads the blocklist every BLOCKLIST_REFRESH_MS) or any bouncer (polling every 10 s by default) applies it; did you mean hours (4h)?`,
    });
  }
  return risks;
}

/** What is risky about an allowlist entry (a canonical CIDR). */
export function allowRisks(cidr: string): Risk[] {
  const wide = wideRange(cidr, "allowlisting");
  return wide
    ? [
        {
          path: "body.value",
          message: `${wide}: every active decision inside it is lifted and none is enforced on it again while the entry stands`,
        },
      ]
    : [];
}

/** Throws 422 `force_required` naming what would happen, unless `force`. */
export function refuseUnlessForced(risks: readonly Risk[], force: boolean | undefined): void {
  const first = risks[0];
  if (force === true || first === undefined) return;
  const all = risks.map((r) => r.message).join("; and ");
  throw new PalisadeHttpError(
    422,
    "force_required",
    `${first.path}: ${all}. Send "force": true (palisade … --force) if that is what you want.`,
    { path: first.path },
  );
}

/** "0.0.0.0/1 covers 2147483648 addresses (50% of IPv4)" for a range wider than WIDE. */
function wideRange(value: string, what: string): string | undefined {
  const cidr = parseCidr(value);
  if (!cidr || cidr.prefix >= WIDE[cidr.version]) return undefined;
  const bits = cidr.version === 4 ? 32 : 128;
  const share = 100 / 2 ** cidr.prefix;
  const count =
    cidr.version === 4
      ? `${2 ** (bits - cidr.prefix)} addresses`
      : `2^${bits - cidr.prefix} addresses`;
  return `${what} ${cidr.text} covers ${count} (${share >= 1 ? share.toFixed(0) : share.toPrecision(2)}% of IPv${cidr.version})`;
}
