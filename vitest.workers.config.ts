import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          // Secrets tests authenticate with (test/workers/ingest*.test.ts).
          PALISADE_MACHINE_TOKEN: "test-machine-token",
        },
      },
    }),
  ],
  test: {
    include: ["test/workers/**/*.test.ts"],
  },
});
