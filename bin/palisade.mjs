#!/usr/bin/env node
// Thin launcher: the CLI is bundled to dist/ by `npm run build` (run on npm install).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/palisade.mjs", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "palisade: the CLI is not built yet. Run `npm run build` (npm install does it).\n",
  );
  process.exit(1);
}
await import(entry.href);
