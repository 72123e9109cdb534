import { reservedReason } from "../../../src/commons/policy/reserved";
import type { SafeList } from "../../../src/commons/policy/safelist";
import type { CapiSignal } from "../../../src/contract/capi-signal";

/** Deterministic randomness and signal building for the consensus simulation. */

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

/** Published hub versions (name, version, full sha256), from crowdsecurity/hub's index. */
export const CERTIFIED = [
  [
    "crowdsecurity/ssh-bf",
    "0.1",
    "4441dcff07020f6690d998b7101e642359ba405c2abb83565bbbdcee36de280f",
  ],
  [
    "crowdsecurity/ssh-bf",
    "0.3",
    "242f36684d66bbae3044e576b7cfffef62d5323465f3f74f87923167c6d93356",
  ],
  [
    "crowdsecurity/http-probing",
    "0.4",
    "4b16f896af400e006c28b1476bf5989c748186f2b3756ed9ad7d1559480d278c",
  ],
  [
    "crowdsecurity/http-bad-user-agent",
    "1.2",
    "7ca405d1147762b1f488bc0f13575c5af8081499c8a5c2971d706e8b03493671",
  ],
  [
    "crowdsecurity/ssh-slow-bf",
    "0.4",
    "892f9a153c4dafb5392ba40d70616e88896571be8f4cc00996e7f5e8277c869e",
  ],
] as const;

/** ssh-bf with a changed capacity: a digest no hub version has. */
export const MODIFIED = [
  "crowdsecurity/ssh-bf",
  "0.3",
  "9d1f0c2b6a0e4f5d8c7b3a2918f6e5d4c3b2a19087f6e5d4c3b2a19087f6e5d4",
] as const;

let uuidCounter = 0;

export function signal(
  ip: string,
  at: number,
  scenario: readonly [string, string, string] = CERTIFIED[1],
): CapiSignal {
  uuidCounter += 1;
  return {
    scenario: scenario[0],
    scenario_version: scenario[1],
    scenario_hash: scenario[2],
    scenario_trust: "certified",
    message: `Ip ${ip} performed '${scenario[0]}' (6 events over 3s)`,
    source: { scope: "Ip", value: ip, ip },
    start_at: new Date(at - 3000).toISOString(),
    stop_at: new Date(at).toISOString(),
    uuid: `sim-${uuidCounter}`,
  };
}

/** A random public IPv4 address: not reserved, not on the safe list, not in `taken`. */
export function publicIpv4(r: () => number, safe: SafeList, taken: Set<string>): string {
  for (;;) {
    const ip = [1 + Math.floor(r() * 222), r() * 256, r() * 256, 1 + r() * 254]
      .map((n) => Math.floor(n))
      .join(".");
    if (!taken.has(ip) && !reservedReason(ip) && !safe.lookup(ip)) {
      taken.add(ip);
      return ip;
    }
  }
}

/** A random /64 in 2a0x::/16 (global unicast, not special) and a way to draw addresses in it. */
export function publicIpv6Prefix(r: () => number): { prefix: string; address: () => string } {
  const hex = () => Math.floor(r() * 0x10000).toString(16);
  const prefix = `2a0${Math.floor(r() * 10)}:${hex()}:${hex()}:${hex()}`;
  return {
    prefix: `${prefix}::/64`,
    address: () => `${prefix}:${hex()}:${hex()}:${hex()}:${hex()}`,
  };
}
