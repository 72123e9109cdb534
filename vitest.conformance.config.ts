import { defineConfig } from "vitest/config";

// Conformance: CrowdSec hub test cases read from ../shared/corpus (not copied here).
export default defineConfig({
  test: {
    include: ["test/conformance/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
