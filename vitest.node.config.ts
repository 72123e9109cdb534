import { defineConfig } from "vitest/config";

// Core and CLI tests run in Node: the core is pure, so Node proves its behaviour and the
// workerd tier proves it also runs unchanged inside the Workers runtime.
export default defineConfig({
  test: {
    include: [
      "test/core/**/*.test.ts",
      "test/commons/**/*.test.ts",
      "test/cli/**/*.test.ts",
      "shipper/test/**/*.test.ts",
    ],
    testTimeout: 30_000,
  },
});
