/**
 * The "done when" scenario, written against any ingest target: a log written
 * continuously is rotated twice (by rename, the writer still appending to the old file for
 * a moment each time) while the bundled shipper ships it, and the target restarts once in
 * between. Every line must be counted exactly once. Today's target is the loopback sink;
 * the end-to-end test against the Worker (Miniflare) plugs in another IngestTarget.
 */
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { sleepReal } from "../src/clock";
import { runShipper } from "./bundle";
import { makeLines, waitFor } from "./support";

export interface IngestTarget {
  /** Base URL (the shipper adds /_palisade/v1/ingest). */
  url: string;
  token: string;
  /** Stops and starts the target again, keeping its state (batch ids already seen). */
  restart(): Promise<void>;
  /** Every line the target counted, as many times as it counted it. */
  countedLines(): Promise<string[]>;
}

export interface ScenarioResult {
  written: string[];
  counted: string[];
  shipperExit: number | null;
  shipperLog: string;
}

function config(target: IngestTarget, dir: string): string {
  return [
    `url: ${target.url}`,
    `token: "${target.token}"`,
    `state_dir: ${join(dir, "state")}`,
    "batch: {max_lines: 40, max_wait: 50ms}",
    "retry: {initial: 20ms, max: 200ms}",
    "poll_interval: 100ms",
    "rotate_wait: 300ms",
    "shutdown_timeout: 5s",
    "sources:",
    `  - paths: [${join(dir, "access.log")}]`,
    "    type: nginx",
    "    start_at: beginning",
    "",
  ].join("\n");
}

class Writer {
  readonly written: string[] = [];
  private n = 0;
  constructor(private fd: number) {}
  async burst(lines: number, fd = this.fd): Promise<void> {
    for (let i = 0; i < lines; i += 25) {
      const chunk = makeLines("w", Math.min(25, lines - i), this.n);
      this.n += chunk.length;
      this.written.push(...chunk);
      writeSync(fd, chunk.map((l) => `${l}\n`).join(""));
      await sleepReal(2);
    }
  }
  /** Rotation by rename: the writer appends a little more to the old file, then reopens. */
  async rotate(log: string, renames: Array<[string, string]>): Promise<void> {
    for (const [from, to] of renames) renameSync(from, to);
    await this.burst(30);
    const next = openSync(log, "a");
    closeSync(this.fd);
    this.fd = next;
  }
  close(): void {
    closeSync(this.fd);
  }
}

export async function rotateTwiceWithRestart(
  target: IngestTarget,
  dir: string,
): Promise<ScenarioResult> {
  const log = join(dir, "access.log");
  writeFileSync(join(dir, "ship.yaml"), config(target, dir));
  const w = new Writer(openSync(log, "a"));
  await w.burst(300);
  const run = await runShipper(["--config", join(dir, "ship.yaml")]);
  // A file rotated away before the shipper's first look is not its to find: start first.
  await waitFor(
    "the shipper started",
    async () => (await target.countedLines()).length > 0,
    10_000,
  );
  await w.burst(300);
  await w.rotate(log, [[log, `${log}.1`]]);
  await w.burst(200);
  // Lines keep coming while the target is down: the shipper must retry them.
  const restarting = target.restart();
  await w.burst(200);
  await restarting;
  await w.rotate(log, [
    [`${log}.1`, `${log}.2`],
    [log, `${log}.1`],
  ]);
  await w.burst(300);
  w.close();
  const counted = async () => (await target.countedLines()).length;
  await waitFor(
    "every line counted",
    async () => (await counted()) >= w.written.length,
    30_000,
  ).catch(async (e: Error) => {
    const n = await counted();
    const tail = run.stderr().slice(-4000);
    throw new Error(`${e.message}: ${n} of ${w.written.length} counted; log:\n${tail}`);
  });
  run.child.kill("SIGTERM");
  const shipperExit = await run.exited;
  return {
    written: w.written,
    counted: await target.countedLines(),
    shipperExit,
    shipperLog: run.stderr(),
  };
}
