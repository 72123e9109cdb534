import type { CapiSignal } from "../../contract/capi-signal";
import { ipToRange, parseIp } from "../../core/ip";
import type { IncomingReport } from "../consensus/types";
import { certify } from "./certified";
import { reservedReason } from "./reserved";
import type { SafeList } from "./safelist";

/**
 * From a member's signal to what a shard records. The unit of consensus is the address
 * for IPv4 and the /64 for IPv6 (an IPv6 attacker owns its /64 and rotates within it),
 * published as an `Ip` or a `Range` decision. Reserved addresses are dropped before any
 * storage; everything else is kept, and marked as not counted when the member is not
 * enrolled, the scenario is not certified or the address is on the safe list.
 */

export interface Member {
  id: string;
  enrolled: boolean;
  trust: number;
}

export type Intake =
  | { kind: "report"; report: IncomingReport; safe: boolean }
  | { kind: "ignored"; reason: "reserved" | "scope" | "stale"; detail: string };

/** The consensus key of an IP: IPv4 as is, IPv6 as its /64 network; undefined if not an IP. */
export function keyOf(ip: string): { key: string; scope: "Ip" | "Range" } | undefined {
  const addr = parseIp(ip);
  if (!addr) return undefined;
  if (addr.kind() === "ipv4") return { key: addr.toString(), scope: "Ip" };
  const range = ipToRange(addr.toString(), 64);
  return range ? { key: range, scope: "Range" } : undefined;
}

export function intakeOf(
  signal: CapiSignal,
  member: Member,
  safeList: SafeList,
  ctx: { id: string; now: number; windowMs: number },
): Intake {
  const scope = signal.source.scope.toLowerCase();
  if (scope !== "ip")
    return {
      kind: "ignored",
      reason: "scope",
      detail: `scope ${signal.source.scope} is kept out of consensus (only Ip)`,
    };
  const target = keyOf(signal.source.value);
  if (!target)
    return {
      kind: "ignored",
      reason: "scope",
      detail: `source.value ${JSON.stringify(signal.source.value)} is not an IP`,
    };
  const reserved = reservedReason(target.key);
  if (reserved) return { kind: "ignored", reason: "reserved", detail: reserved };
  if (Date.parse(signal.stop_at) < ctx.now - ctx.windowMs)
    return { kind: "ignored", reason: "stale", detail: "stop_at is older than the window" };
  const safe = safeList.lookup(target.key);
  const cert = certify(signal.scenario, signal.scenario_version, signal.scenario_hash);
  const why = !member.enrolled
    ? "member not enrolled"
    : !cert.certified
      ? cert.why
      : safe
        ? `safe list: ${safe.cidr} (${safe.source})`
        : "";
  return {
    kind: "report",
    safe: safe !== undefined,
    report: {
      id: ctx.id,
      key: target.key,
      scope: target.scope,
      member: member.id,
      scenario: signal.scenario,
      counted: why === "",
      why,
      trust: member.trust,
    },
  };
}
