import { formatDiagnostic } from "../core/diagnostic";
import { lintScenarios } from "../core/scenario/index";
import { dataStoreFor, scenarioFilesFrom } from "./config-files";
import { fail } from "./errors";

/**
 * `palisade scenarios lint PATH... [--data DIR]`: every problem of every scenario file
 * (or folder, walked) at once, one per line; exit 1 on any error. Local: no Worker. The
 * Worker checks uploads (`palisade scenarios add`) with the same diagnostics.
 */
export function runLint(paths: readonly string[], dataDir: string | undefined): void {
  if (paths.length === 0)
    fail(
      "scenarios lint needs at least one scenario file or folder.",
      "it checks files, it has nothing to check.",
      "give YAML files or folders: palisade scenarios lint my-scenarios/",
    );
  const files = scenarioFilesFrom(paths);
  const diags = lintScenarios(files, { data: dataStoreFor(dataDir) });
  for (const d of diags) process.stdout.write(`${formatDiagnostic(d)}\n`);
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.length - errors;
  process.stderr.write(
    `palisade scenarios lint: ${files.length} file(s), ${errors} error(s), ${warnings} warning(s)\n`,
  );
  if (errors > 0) process.exitCode = 1;
}
