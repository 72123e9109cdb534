import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// The commons Worker (wrangler.commons.toml) in workerd: every endpoint and error.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.commons.toml" },
      miniflare: {
        bindings: {
          COMMONS_ADMIN_TOKEN: "test-commons-admin",
          COMMONS_PUBLISH_MS: "100",
          // Small, so that the bound is reached in a test (test/commons-workers/signals).
          COMMONS_DAILY_SIGNALS: "60",
          COMMONS_UNENROLLED_DAILY_SIGNALS: "20",
          COMMONS_SHARDS: "4",
          COMMONS_BENCH_SEED: "1",
          // Several parts for the 1,200-entry base of test/commons-workers/stream.
          COMMONS_BASE_PART_ENTRIES: "500",
        },
      },
    }),
  ],
  test: {
    include: ["test/commons-workers/**/*.test.ts"],
    // Shared 2-core machines: a cold object start plus a publication can take seconds.
    testTimeout: 30_000,
  },
});
