// `npm start`: the local edge in front of a demo origin. The edge (ingest, Durable
// Objects, enforcement) is a later issue; until it lands this says so and succeeds.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const edgeReady = existsSync(`${root}src/edge/middleware.ts`);
if (!edgeReady) {
  console.log(
    [
      "Palisade: edge not built yet.",
      "The detection core works today from the command line:",
      "  npx palisade replay --type nginx access.log     # what would Palisade have banned?",
      "  npx palisade parse --type syslog /var/log/auth.log",
    ].join("\n"),
  );
  process.exit(0);
}
