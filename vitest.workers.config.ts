import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          // Secrets tests authenticate with (test/workers/ingest*.test.ts, api*.test.ts).
          PALISADE_MACHINE_TOKEN: "test-machine-token",
          PALISADE_ADMIN_TOKEN: "test-admin-token",
          PALISADE_METRICS_TOKEN: "test-metrics-token",
          // The edge tests use Turnstile's test keys, which only a local Worker accepts.
          PALISADE_ENV: "local",
          // Most tests ship nginx access lines as a shipper-only site does; with edge
          // detection on, ingest would leave them to the edge (src/ingest/edge-coverage.ts).
          // test/workers/edge-detect.test.ts turns it on, and checks the default is on.
          EDGE_DETECTION: "off",
          // Failed queue messages come back at once (test/workers/ingest-dlq.test.ts).
          QUEUE_RETRY_S: "0",
          // Tests flush KV far more often than a day's free-plan budget allows; the budget
          // itself is tested with its default (test/workers/kv-budget.test.ts).
          KV_WRITE_BUDGET: "10000000",
          // A developer's .dev.vars (which `npm start` creates, and wrangler loads here too)
          // must not change what the tests see: its example secrets and Turnstile test keys
          // would make every PALISADE_ENV=production test refuse to serve. Empty means unset.
          CLEARANCE_KEY: "",
          TURNSTILE_SITEKEY: "",
          TURNSTILE_SECRET: "",
        },
      },
    }),
  ],
  test: {
    include: ["test/workers/**/*.test.ts"],
    // As the Node tier's: on a loaded machine a file's first request (the whole Worker
    // loading) or a megabyte-sized hostile batch can pass 5 s; no assertion is on time.
    testTimeout: 30_000,
  },
});
