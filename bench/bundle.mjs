// Shared by the benchmarks that time src/ code in-process (filters.mjs, stages.mjs): Node
// 20 cannot import TypeScript, so a small entry is bundled with esbuild and imported.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

export const root = fileURLToPath(new URL("..", import.meta.url));

/** Bundles the module `source` (it may import src/ by absolute path) and imports it. */
export async function importBundled(source) {
  const dir = mkdtempSync(join(tmpdir(), "palisade-bench-"));
  try {
    const src = join(dir, "entry.mjs");
    const out = join(dir, "bundle.mjs");
    writeFileSync(src, source);
    await build({
      entryPoints: [src],
      outfile: out,
      bundle: true,
      platform: "node",
      format: "esm",
      logLevel: "warning",
      nodePaths: [join(root, "node_modules")],
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
