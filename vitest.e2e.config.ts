import { defineConfig } from "vitest/config";

// End-to-end tests with real third-party programs from Debian: the CrowdSec firewall
// bouncer in a network namespace (root), and cscli, the crowdsec agent and the custom
// bouncer against one local Worker (test/e2e/crowdsec-clients.test.ts). They need the
// packages, so they run apart from `npm test`, in `npm run test:e2e` (.ci/run installs
// what they need and runs it).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // Every test by name, skipped ones included: a skip must be seen, never a silent pass.
    reporters: ["verbose"],
  },
});
