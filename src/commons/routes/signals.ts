import type { Hono } from "hono";
import { type CapiSignal, capiSignalBatchSchema } from "../../contract/capi-signal";
import { memberAuth } from "../auth";
import { commonsConfig } from "../config";
import type { IncomingReport } from "../consensus/types";
import { hashToken } from "../durable/secret";
import { registryOf, shardAt } from "../durable/stubs";
import type { CommonsEnv } from "../env";
import { granted, json, readJson } from "../http";
import { intakeOf, keyOf } from "../policy/signal";
import { currentSafeList, safeListAt } from "../safelist-cache";
import { shardOf } from "../shard-key";

type App = Hono<{ Bindings: CommonsEnv; Variables: { member: string } }>;

/**
 * `POST /v2/signals`: the batch is validated whole (one bad signal refuses it, naming
 * the signal and the field), admitted against the member's daily bound (all or
 * nothing), classified by policy, and handed to the shards of its addresses, one call
 * per shard. 200 `{"message":"OK"}` as CrowdSec answers, with Palisade's counts beside.
 */
export function signalRoutes(app: App): void {
  app.post("/v2/signals", memberAuth, async (c) => {
    const signals = await readJson(c, capiSignalBatchSchema, 400);
    const now = Date.now();
    const member = c.get("member");
    const config = commonsConfig(c.env);
    const safeKeys = await countSafe(c.env, signals);
    const admitted = await registryOf(c.env).admitSignals(member, signals.length, safeKeys, now);
    const session = granted(admitted);
    const safeList = await safeListAt(c.env, admitted.safeVersion);
    const counts = { accepted: signals.length, counted: 0, stored: 0, duplicates: 0, ignored: 0 };
    const byShard = new Map<number, IncomingReport[]>();
    for (const s of signals) {
      const intake = intakeOf(s, session, safeList, {
        id: await signalId(s),
        now,
        windowMs: config.consensus.windowMs,
      });
      if (intake.kind === "ignored") {
        counts.ignored += 1;
        continue;
      }
      if (intake.report.counted) counts.counted += 1;
      const shard = shardOf(intake.report.key, config.shards);
      byShard.set(shard, [...(byShard.get(shard) ?? []), intake.report]);
    }
    const results = await Promise.all(
      [...byShard].map(([i, reports]) => shardAt(c.env, i).report(i, reports, now)),
    );
    for (const r of results) {
      counts.stored += r.stored;
      counts.duplicates += r.duplicates;
    }
    return json({ message: "OK", ...counts });
  });
}

/** Distinct safe-listed addresses in the batch, for the member's trust (its own mistake). */
async function countSafe(env: CommonsEnv, signals: readonly CapiSignal[]): Promise<number> {
  const list = await currentSafeList(env);
  const keys = new Set<string>();
  for (const s of signals) {
    const key = keyOf(s.source.value)?.key;
    if (key && list.lookup(key)) keys.add(key);
  }
  return keys.size;
}

/** The signal's `uuid`, or (1.4.6 sends none) a digest of what identifies it. */
async function signalId(s: CapiSignal): Promise<string> {
  if (s.uuid) return s.uuid;
  const digest = await hashToken(
    [s.scenario, s.scenario_hash, s.source.value, s.start_at, s.stop_at].join("\u0000"),
  );
  return digest.slice(0, 32);
}
