/** Test helpers: temporary directories, polling waits, a recording logger, test configs. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { type Clock, sleepReal, systemClock } from "../src/clock";
import type { ShipperConfig } from "../src/config/shipper-config";
import type { SourceConfig } from "../src/config/source-config";
import { httpTransport } from "../src/delivery/transport";
import type { Fields, Logger } from "../src/log";
import { Shipper, type ShipperDeps } from "../src/shipper";

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export function onCleanup(f: () => Promise<void>): void {
  cleanups.push(f);
}

export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "palisade-ship-test-"));
  onCleanup(() => rm(d, { recursive: true, force: true }));
  return d;
}

/** Polls `pred` until true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  pred: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleepReal(5);
  }
}

export interface LogEntry {
  level: string;
  msg: string;
  fields: Fields | undefined;
}

export function memoryLog(): Logger & {
  entries: LogEntry[];
  has(level: string, text: string): boolean;
} {
  const entries: LogEntry[] = [];
  const at = (level: string) => (msg: string, fields?: Fields) => {
    entries.push({ level, msg, fields });
  };
  return {
    entries,
    has: (level, text) => entries.some((e) => e.level === level && e.msg.includes(text)),
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
  };
}

/** The real clock, except that sleeps (retry waits) are recorded and cut to 1 ms. */
export function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    ...systemClock,
    sleeps,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return sleepReal(Math.min(ms, 1), signal);
    },
  };
}

export function fileSource(paths: string[], extra: Partial<SourceConfig> = {}): SourceConfig {
  return {
    kind: "file",
    type: "nginx",
    labels: {},
    paths,
    exclude: [],
    startAt: "beginning",
    journalctlFilter: [],
    id: `file:${paths.join(",")}`,
    ...extra,
  };
}

export function testConfig(
  url: string,
  stateDir: string,
  sources: SourceConfig[],
  extra: Partial<ShipperConfig> = {},
): ShipperConfig {
  return {
    url: `${url}/_palisade/v1/ingest`,
    token: "machine-token",
    stateDir,
    gzip: true,
    gzipLevel: 1,
    batch: { maxLines: 50, maxBytes: 65_536, maxWaitMs: 20 },
    maxLineBytes: 65_536,
    spool: { maxBytes: 64 * 1024 * 1024 },
    retry: { initialMs: 5, maxMs: 50 },
    requestTimeoutMs: 5000,
    pollIntervalMs: 50,
    rotateWaitMs: 150,
    statsIntervalMs: 0,
    shutdownTimeoutMs: 2000,
    logLevel: "debug",
    journalctlPath: "journalctl",
    sources,
    ...extra,
  };
}

/** Starts a shipper (stopped after the test); fails the test on a start error. */
export async function startShipper(
  config: ShipperConfig,
  deps: Partial<ShipperDeps> = {},
): Promise<Shipper> {
  const s = await Shipper.start(config, {
    clock: systemClock,
    random: () => 0.5,
    log: memoryLog(),
    transport: httpTransport({
      url: config.url,
      token: config.token,
      timeoutMs: config.requestTimeoutMs,
      userAgent: "test",
    }),
    version: "test",
    baseDir: "/",
    ...deps,
  });
  if (typeof s === "string") throw new Error(s);
  onCleanup(() => s.stop());
  return s;
}

/** `n` distinct lines tagged `tag`, each with its index. */
export function makeLines(tag: string, n: number, from = 0): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      `${tag} line ${from + i} 10.0.0.${(from + i) % 250} "GET /x/${from + i} HTTP/1.1" 200`,
  );
}
