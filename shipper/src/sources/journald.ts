/**
 * journald through `journalctl -o json --follow`: each JSON entry is shipped as its raw
 * line (the Worker's `journald` type parses it), and its `__CURSOR` is the position, so a
 * restart resumes with `--after-cursor`. journalctl is restarted (with backoff) if it dies.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Clock, TimerHandle } from "../clock";
import type { SourceConfig } from "../config/source-config";
import type { Batcher, CursorPosition, Origin } from "../delivery/batcher";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import { streamLines } from "./stream-lines";

const CURSOR = /"__CURSOR"\s*:\s*"([^"\\]*)"/;

/** The cursor of one `journalctl -o json` line (it comes first, so a cut line keeps it). */
export function cursorOf(line: string): string | undefined {
  return CURSOR.exec(line)?.[1];
}

export interface JournaldDeps {
  config: SourceConfig;
  batcher: Batcher;
  gate: () => Promise<void> | undefined;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  journalctlPath: string;
  maxLineBytes: number;
  /** Cursor of the last entry spooled or acknowledged by a previous run. */
  resumeCursor: string | undefined;
}

/** journalctl's arguments: where to start, then the configured match filters. */
export function journalctlArgs(
  cursor: string | undefined,
  startAt: "beginning" | "end",
  filters: readonly string[],
): string[] {
  const from =
    cursor !== undefined
      ? [`--after-cursor=${cursor}`]
      : startAt === "end"
        ? ["--lines=0"]
        : ["--no-tail"];
  return ["--output=json", "--follow", "--no-pager", ...from, ...filters];
}

const MAX_RESTART_MS = 60_000;
const CURSOR_WINDOW = 1024;

export class JournaldSource implements Origin {
  readonly key: string;
  private child: ChildProcess | undefined;
  private cursor: string | undefined;
  private stopped = false;
  private restartMs = 1000;
  private restartTimer: TimerHandle | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly d: JournaldDeps) {
    this.key = d.config.id;
    this.cursor = d.resumeCursor;
  }

  position(mark: number | string): CursorPosition {
    return { kind: "journald", key: this.key, cursor: mark as string };
  }

  start(): void {
    const args = journalctlArgs(this.cursor, this.d.config.startAt, this.d.config.journalctlFilter);
    const startedAt = this.d.clock.now();
    const child = spawn(this.d.journalctlPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-2000);
    });
    streamLines(child.stdout as NonNullable<typeof child.stdout>, {
      maxLineBytes: this.d.maxLineBytes,
      gate: this.d.gate,
      onLine: (src, start, end) => this.line(src, start, end),
      onEnd: () => {},
      onError: () => {},
    });
    this.exited = new Promise((resolve) => {
      let gone = false;
      const onGone = (why: string) => {
        if (gone) return;
        gone = true;
        resolve();
        if (this.clockRan(startedAt)) this.restartMs = 1000;
        this.restart(why, stderr);
      };
      child.on("error", (e) => onGone(e.message));
      child.on("exit", (code, signal) => onGone(`exit ${code ?? signal}`));
    });
    this.d.log.info("following journald", {
      command: `${this.d.journalctlPath} ${args.join(" ")}`,
    });
  }

  private clockRan(startedAt: number): boolean {
    return this.d.clock.now() - startedAt > MAX_RESTART_MS;
  }

  private line(src: Buffer, start: number, end: number): void {
    this.d.metrics.linesRead++;
    // __CURSOR comes first in journalctl's JSON; its value is ASCII.
    const c = cursorOf(src.toString("latin1", start, Math.min(end, start + CURSOR_WINDOW)));
    if (c !== undefined) this.cursor = c;
    const cur = this.cursor;
    this.d.batcher.add(src, start, end, cur === undefined ? null : this, cur ?? 0);
  }

  private restart(why: string, stderr: string): void {
    if (this.stopped) return;
    const hint = why.includes("ENOENT")
      ? "journalctl not found: install systemd's journalctl or set journalctl_path"
      : stderr.trim();
    this.d.log.error("journalctl stopped; restarting it", {
      reason: why,
      detail: hint,
      retry_in_ms: this.restartMs,
    });
    this.restartTimer = this.d.clock.setTimer(() => this.start(), this.restartMs);
    this.restartMs = Math.min(MAX_RESTART_MS, this.restartMs * 2);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer !== undefined) this.d.clock.clearTimer(this.restartTimer);
    this.child?.kill("SIGTERM");
    await this.exited;
  }
}
