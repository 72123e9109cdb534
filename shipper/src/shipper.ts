/**
 * Follow mode: sources → batchers → spool (durable, bounded) → sender → Worker, with
 * positions committed only after acknowledgement. Start resumes from what the last run
 * left: committed offsets, then any batch still in the spool (re-sent as is).
 */
import { mkdir } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { Clock } from "./clock";
import type { ShipperConfig } from "./config/shipper-config";
import type { SourceConfig } from "./config/source-config";
import { randomBatchId } from "./delivery/batch-id";
import { Batcher, type FilePosition, type Position } from "./delivery/batcher";
import { Offsets, OffsetsUnreadable } from "./delivery/offsets";
import { type BatchOutput, PrintOutput, SpoolOutput } from "./delivery/output";
import { SpoolSender } from "./delivery/sender";
import { Spool } from "./delivery/spool";
import type { Transport } from "./delivery/transport";
import { takeLock } from "./lock";
import type { Logger } from "./log";
import { Metrics } from "./metrics";
import { FileSource } from "./sources/file-source";
import { JournaldSource } from "./sources/journald";
import { StdinSource } from "./sources/stdin-source";
import { StatsReporter } from "./stats";

export interface ShipperDeps {
  clock: Clock;
  random: () => number;
  log: Logger;
  transport: Transport;
  version: string;
  /** Directory relative paths in the config are resolved against. */
  baseDir: string;
  stdin?: Readable;
  /** --dry-run: print batches here instead of spooling and sending them. */
  dryRunOut?: Writable;
  /** Directory watches on (default); tests turn them off to prove the poll alone. */
  watch?: boolean;
  chunkBytes?: number;
}

type Source = FileSource | JournaldSource | StdinSource;

interface Parts {
  offsets: Offsets | undefined;
  spool: Spool | undefined;
  output: BatchOutput;
  release: () => Promise<void>;
}

export class Shipper {
  readonly metrics = new Metrics();
  private readonly sources: Source[] = [];
  private readonly batchers: Batcher[] = [];
  private readonly abort = new AbortController();
  private senderDone: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private stats!: StatsReporter;
  private parts!: Parts;
  /** Resolves when all input ended (only when every source is stdin). */
  inputEnded: Promise<void> = new Promise(() => {});

  private constructor(
    readonly config: ShipperConfig,
    private readonly d: ShipperDeps,
  ) {}

  /** Starts following; a string is an error for the operator (state dir locked or unreadable). */
  static async start(config: ShipperConfig, d: ShipperDeps): Promise<Shipper | string> {
    const s = new Shipper(config, d);
    const parts = await s.open();
    if (typeof parts === "string") return parts;
    s.parts = parts;
    await s.startSources();
    s.stats = new StatsReporter(
      s.metrics,
      d.dryRunOut ? undefined : config.stateDir,
      config.statsIntervalMs,
      d.log,
      d.clock,
      d.version,
    );
    s.stats.start();
    if (parts.spool !== undefined && parts.offsets !== undefined) {
      const sender = new SpoolSender(parts.spool, parts.offsets, {
        ...d,
        retry: config.retry,
        metrics: s.metrics,
      });
      s.senderDone = sender.run(s.abort.signal);
    }
    return s;
  }

  private async open(): Promise<Parts | string> {
    const { config, d } = this;
    if (d.dryRunOut !== undefined) {
      const offsets = config.stateDir === "" ? undefined : await Offsets.load(config.stateDir);
      const o = offsets instanceof OffsetsUnreadable ? undefined : offsets;
      return {
        offsets: o,
        spool: undefined,
        output: new PrintOutput(d.dryRunOut, this.metrics),
        release: async () => {},
      };
    }
    await mkdir(config.stateDir, { recursive: true });
    const lock = await takeLock(config.stateDir);
    if (typeof lock === "string") return lock;
    const offsets = await Offsets.load(config.stateDir);
    if (offsets instanceof OffsetsUnreadable) {
      await lock.release();
      return offsets.message;
    }
    const spool = await Spool.open(config.stateDir, config.spool.maxBytes, this.metrics, d.log);
    const output = new SpoolOutput({
      spool,
      log: d.log,
      metrics: this.metrics,
      clock: d.clock,
      retryMs: config.retry.maxMs,
    });
    return { offsets, spool, output, release: lock.release };
  }

  private resumePositions(): Map<string, Position> {
    const out = new Map<string, Position>();
    for (const f of this.parts.offsets?.files() ?? []) out.set(f.key, f);
    for (const [k, p] of this.parts.spool?.lastPositions() ?? []) out.set(k, p);
    return out;
  }

  private retire = (key: string, finalOffset: number): void => {
    if (this.d.dryRunOut !== undefined) return;
    this.parts.offsets
      ?.retire(key, finalOffset)
      .catch((e: Error) => this.d.log.error("cannot save offsets", { reason: e.message }));
  };

  private makeBatcher(sc: SourceConfig): Batcher {
    const b = new Batcher(
      { type: sc.type, labels: sc.labels },
      this.config.batch,
      this.d.clock,
      (batch) => this.parts.output.accept(batch),
      randomBatchId,
      this.config.gzip && this.d.dryRunOut === undefined ? this.config.gzipLevel : undefined,
    );
    this.batchers.push(b);
    return b;
  }

  private makeSource(
    sc: SourceConfig,
    resume: Map<string, Position>,
    claims: Map<string, unknown>,
  ): Source {
    const { config, d } = this;
    const common = {
      batcher: this.makeBatcher(sc),
      gate: () => this.parts.output.ready(),
      metrics: this.metrics,
      log: d.log,
      clock: d.clock,
      maxLineBytes: config.maxLineBytes,
    };
    if (sc.kind === "journald") {
      const p = resume.get(sc.id);
      const resumeCursor = p?.kind === "journald" ? p.cursor : this.parts.offsets?.cursor(sc.id);
      return new JournaldSource({
        ...common,
        config: sc,
        journalctlPath: config.journalctlPath,
        resumeCursor,
      });
    }
    if (sc.kind === "stdin") return new StdinSource({ ...common, input: d.stdin ?? process.stdin });
    return new FileSource({
      ...common,
      config: sc,
      patterns: sc.paths.map((p) => (isAbsolute(p) ? p : resolve(d.baseDir, p))),
      pollIntervalMs: config.pollIntervalMs,
      rotateWaitMs: config.rotateWaitMs,
      chunkBytes: d.chunkBytes ?? 1 << 20,
      resume: (k) => resume.get(k) as FilePosition | undefined,
      firstRun: !(this.parts.offsets?.seen(sc.id) ?? false),
      claims,
      retire: this.retire,
      watch: d.watch ?? true,
    });
  }

  private async startSources(): Promise<void> {
    const resume = this.resumePositions();
    const claims = new Map<string, unknown>();
    for (const sc of this.config.sources) this.sources.push(this.makeSource(sc, resume, claims));
    const files = this.sources.filter((s): s is FileSource => s instanceof FileSource);
    const stdins = this.sources.filter((s): s is StdinSource => s instanceof StdinSource);
    for (const f of files) await f.init();
    await this.adoptLeftovers(files, resume, claims);
    if (this.d.dryRunOut === undefined)
      await this.parts.offsets?.markSeen(this.config.sources.map((s) => s.id));
    for (const f of files) f.run();
    for (const s of this.sources) if (!(s instanceof FileSource)) s.start();
    if (stdins.length === this.sources.length)
      this.inputEnded = Promise.all(stdins.map((s) => s.ended)).then(() => {});
  }

  /** Files a previous run was reading that no pattern leads to any more (rotated while down). */
  private async adoptLeftovers(
    files: FileSource[],
    resume: Map<string, Position>,
    claims: Map<string, unknown>,
  ): Promise<void> {
    for (const p of resume.values()) {
      if (p.kind !== "file" || claims.has(p.key)) continue;
      const owner = files.find((f) => f.owns(p.path));
      if (owner !== undefined && (await owner.adopt(p))) {
        this.d.log.info("finishing a file rotated while stopped", {
          was: p.path,
          offset: p.offset,
        });
        continue;
      }
      this.d.log.info("forgetting a file that is gone or no longer configured", { path: p.path });
      this.retire(p.key, p.offset);
    }
  }

  /** Stops reading, spools what was read, gives the sender shutdown_timeout to deliver. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const stops = this.sources.map((s) => s.stop());
    this.parts.output.release();
    await Promise.all(stops);
    for (const b of this.batchers) b.flush();
    await this.parts.output.idle();
    const deadline = this.d.clock.setTimer(() => this.abort.abort(), this.config.shutdownTimeoutMs);
    this.parts.spool?.drainAndStop();
    await this.senderDone;
    this.d.clock.clearTimer(deadline);
    this.abort.abort();
    this.d.transport.close();
    await this.stats.stop();
    await this.parts.release();
    const left = this.metrics.spoolBatches;
    this.d.log.info("stopped", {
      spooled_batches_left: left,
      ...(left > 0 ? { note: "sent at next start" } : {}),
    });
  }
}
