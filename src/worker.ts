import { env } from "cloudflare:workers";
import { apiRoutes, isAdminRequest, ledgerEdgeMetrics, ledgerKvRepair } from "./api/index";
import { createWorker } from "./app";
import { configOf } from "./config";
import { consoleRoutes } from "./console/index";
import type { Env } from "./env";
import {
  consumeDeadLetters,
  consumeIngest,
  EdgeFeed,
  ingestRoutes,
  isDeadLetterQueue,
  ledgerHousekeeping,
} from "./ingest/index";
import {
  consumeNotify,
  consumeNotifyDead,
  NOTIFY_DLQ_NAME,
  NOTIFY_QUEUE_NAME,
} from "./notify/index";

export { Ledger } from "./durable/ledger/index";
export { SourceTracker } from "./durable/tracker/index";
export type { Env } from "./env";

// The Worker's composition root (wrangler.toml `main`): Palisade's routes under
// /_palisade/ (ingest, then the bouncer, watcher and admin API, the console) behind the
// edge's own decisions, enforcement (its outcome counts, and KV keys it cannot decode, go
// to the Ledger), then the origin (whose answered requests feed detection: EDGE_DETECTION); the ingest and notification queues' consumers; the cron.
// Adapters never import this file or each other's composition.
// Every var is checked as the isolate loads, each problem logged once (src/config.ts).
configOf(env);

const worker = createWorker({
  routes: [ingestRoutes, apiRoutes, consoleRoutes],
  palisade: { metrics: ledgerEdgeMetrics, repair: ledgerKvRepair },
  // A banned operator can still lift the ban with the admin token (CLI or API).
  ownRouteExemption: isAdminRequest,
  // Edge-native detection (EDGE_DETECTION, on by default): the requests passed to the
  // origin feed the scenarios through ingest's router and dispatch.
  detection: new EdgeFeed(),
});

export default {
  fetch: (request, env, ctx) => worker.fetch(request, env, ctx),
  queue: (batch, env) =>
    batch.queue === NOTIFY_QUEUE_NAME
      ? consumeNotify(batch, env)
      : batch.queue === NOTIFY_DLQ_NAME
        ? consumeNotifyDead(batch, env)
        : isDeadLetterQueue(batch.queue)
          ? consumeDeadLetters(batch, env)
          : consumeIngest(batch, env),
  scheduled: (_controller, env) => ledgerHousekeeping(env),
} satisfies ExportedHandler<Env>;
