import type { Hono } from "hono";
import { z } from "zod";
import { PalisadeHttpError } from "../../http/error";
import { commonsConfig } from "../config";
import { publisherOf, shardAt } from "../durable/stubs";
import type { CommonsEnv } from "../env";
import { json, readJson } from "../http";
import { keyOf } from "../policy/signal";
import { shardOf } from "../shard-key";

type App = Hono<{ Bindings: CommonsEnv; Variables: { member: string } }>;

const seedSchema = z.strictObject({ ips: z.array(z.string()).max(200_000) });

/**
 * `npm run bench:commons` only, and only with COMMONS_BENCH_SEED=1 (never in
 * wrangler.commons.toml): list addresses without reports, and publish now.
 */
export function adminBenchRoutes(app: App): void {
  app.use("/v1/admin/bench/*", async (c, next) => {
    if (!commonsConfig(c.env).benchSeed)
      throw new PalisadeHttpError(
        404,
        "not_found",
        "No route: the bench routes need COMMONS_BENCH_SEED=1.",
      );
    await next();
  });

  app.post("/v1/admin/bench/seed", async (c) => {
    const { ips } = await readJson(c, seedSchema, 422);
    const shards = commonsConfig(c.env).shards;
    const by = new Map<number, string[]>();
    for (const ip of ips) {
      const key = keyOf(ip)?.key;
      if (!key) continue;
      const i = shardOf(key, shards);
      by.set(i, [...(by.get(i) ?? []), key]);
    }
    const now = Date.now();
    const n = await Promise.all([...by].map(([i, keys]) => shardAt(c.env, i).seed(i, keys, now)));
    return json({ seeded: n.reduce((a, b) => a + b, 0) });
  });

  app.post("/v1/admin/bench/publish", async (c) => json(await publisherOf(c.env).publish()));
}
