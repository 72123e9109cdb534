/**
 * Metrics on demand: the running shipper keeps state_dir/stats.json fresh (every few
 * seconds, only when something changed, so an idle shipper writes nothing) and logs a
 * line every stats_interval; `palisade-ship --stats` prints the file.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Clock, TimerHandle } from "./clock";
import { writeFileDurable } from "./durable-file";
import { alive } from "./lock";
import type { Logger } from "./log";
import type { Metrics } from "./metrics";

const FILE_EVERY_MS = 5000;

export interface StatsDoc {
  pid: number;
  version: string;
  started_at: string;
  updated_at: string;
  metrics: Record<string, number | boolean>;
}

export class StatsReporter {
  private timer: TimerHandle | undefined;
  private lastWritten = "";
  private lastLogAt: number;
  private readonly startedAt: string;

  constructor(
    private readonly metrics: Metrics,
    private readonly stateDir: string | undefined,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly version: string,
  ) {
    this.lastLogAt = clock.now();
    this.startedAt = new Date(clock.now()).toISOString();
  }

  start(): void {
    this.timer = this.clock.setTimer(
      () => void this.tick(),
      Math.min(FILE_EVERY_MS, this.intervalMs || FILE_EVERY_MS),
    );
  }

  private async tick(): Promise<void> {
    await this.write().catch(() => {});
    if (this.intervalMs > 0 && this.clock.now() - this.lastLogAt >= this.intervalMs) this.logNow();
    this.start();
  }

  logNow(): void {
    this.lastLogAt = this.clock.now();
    this.log.info("stats", this.metrics.snapshot());
  }

  async write(): Promise<void> {
    if (this.stateDir === undefined) return;
    const metrics = JSON.stringify(this.metrics.snapshot());
    if (metrics === this.lastWritten) return;
    this.lastWritten = metrics;
    const doc: StatsDoc = {
      pid: process.pid,
      version: this.version,
      started_at: this.startedAt,
      updated_at: new Date(this.clock.now()).toISOString(),
      metrics: this.metrics.snapshot(),
    };
    await writeFileDurable(join(this.stateDir, "stats.json"), `${JSON.stringify(doc, null, 2)}\n`);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    await this.write().catch(() => {});
  }
}

/** The text `--stats` prints, or undefined when no shipper has written stats there. */
export async function readStats(stateDir: string, nowMs: number): Promise<string | undefined> {
  let doc: StatsDoc;
  try {
    doc = JSON.parse(await readFile(join(stateDir, "stats.json"), "utf8")) as StatsDoc;
  } catch {
    return undefined;
  }
  const age = Math.round((nowMs - Date.parse(doc.updated_at)) / 1000);
  const state = alive(doc.pid) ? `running (pid ${doc.pid})` : `not running (last pid ${doc.pid})`;
  const rows = Object.entries(doc.metrics).map(([k, v]) => `  ${k.padEnd(22)} ${v}`);
  return [
    `palisade-ship ${doc.version}: ${state}, started ${doc.started_at}, stats from ${age}s ago`,
    ...rows,
    "",
  ].join("\n");
}
