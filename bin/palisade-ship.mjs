#!/usr/bin/env node
// Thin launcher: the shipper is bundled to shipper/dist/palisade-ship.mjs by `npm run build`
// (run on npm install); operators can also copy that one file to their servers.
import { existsSync } from "node:fs";

const entry = new URL("../shipper/dist/palisade-ship.mjs", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "palisade-ship: not built yet. Run `npm run build` (npm install does it).\n",
  );
  process.exit(1);
}
await import(entry.href);
