import { normalizeIp } from "../core/ip";
import { PalisadeHttpError } from "../http/error";
import { commonsConfig } from "./config";
import type { PolicyView } from "./consensus/reputation";
import type { Listing, ReportRow } from "./consensus/types";
import { shardFor } from "./durable/stubs";
import type { CommonsEnv } from "./env";
import { reservedReason } from "./policy/reserved";
import { keyOf } from "./policy/signal";
import { safeListAt } from "./safelist-cache";

/** What the commons knows of an address: policy first, then its shard's reports. */
export interface IpFacts {
  ip: string;
  key: string;
  policy: PolicyView;
  rows: ReportRow[];
  listing: Listing | undefined;
}

export async function factsOf(
  env: CommonsEnv,
  raw: string,
  safeVersion?: number,
): Promise<IpFacts> {
  const ip = normalizeIp(decodeURIComponent(raw));
  const target = ip ? keyOf(ip) : undefined;
  if (!ip || !target)
    throw new PalisadeHttpError(
      400,
      "invalid_ip",
      `${JSON.stringify(raw)} is not an IP address. Give one like 203.0.113.7 or 2001:db8::1.`,
      { path: "params.ip" },
    );
  const reserved = reservedReason(target.key);
  const safe = reserved ? undefined : (await safeListAt(env, safeVersion)).lookup(target.key);
  const policy: PolicyView = { reserved, safe };
  if (reserved) return { ip, key: target.key, policy, rows: [], listing: undefined };
  const { stub } = shardFor(env, target.key, commonsConfig(env).shards);
  const { rows, listing } = await stub.reputation(target.key);
  return { ip, key: target.key, policy, rows, listing: listing ?? undefined };
}
