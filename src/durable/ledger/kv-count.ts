import { bump, bumpSeries } from "./counters";

/**
 * The blocklist namespace as the KV writer sees it, counting every put and delete (what
 * the plan's daily write and delete quotas count) into the Ledger's counters, so the
 * metrics show the spend whatever part of the writer made it.
 */
export function countingKv(kv: KVNamespace, sql: SqlStorage): KVNamespace {
  return new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop) as unknown;
      if (typeof v !== "function") return v;
      if (prop !== "put" && prop !== "delete") return v.bind(target);
      const metric = prop === "put" ? "kv.writes" : "kv.deletes";
      return (...args: unknown[]) => {
        const now = Date.now();
        bump(sql, metric, "", "", 1, now);
        bumpSeries(sql, metric, "", 1, now);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
