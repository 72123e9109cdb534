/**
 * The shipper as operators run it: shipper/src/main.ts bundled (like scripts/build.mjs does)
 * into a temporary file, run with `node`, so CLI tests exercise the current sources.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll } from "vitest";
import { onCleanup } from "./support";

let built: Promise<string> | undefined;
let builtDir: string | undefined;

afterAll(() => {
  if (builtDir !== undefined) rmSync(builtDir, { recursive: true, force: true });
});

export function bundlePath(): Promise<string> {
  built ??= (async () => {
    builtDir = mkdtempSync(join(tmpdir(), "palisade-ship-bundle-"));
    const out = join(builtDir, "palisade-ship.mjs");
    const entry = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    await build({
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "error",
    });
    return out;
  })();
  return built;
}

export interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the bundled shipper; killed after the test if still running. */
export async function runShipper(
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<Run> {
  const child = spawn(process.execPath, [await bundlePath(), ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  if (stdin !== undefined) child.stdin?.end(stdin);
  else child.stdin?.end();
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}
