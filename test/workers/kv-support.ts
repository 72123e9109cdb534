import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Ledger } from "../../src/durable/ledger/index";
import { KvWriter, type KvWriterOptions } from "../../src/durable/ledger/kv-writer";
import type { DecisionInput } from "../../src/durable/ledger/records";
import { LedgerStore, type RecordHooks } from "../../src/durable/ledger/store";

/**
 * The Ledger's KV writer on a fresh Ledger's own SQLite (its tables, migrations, sort
 * keys), writing to a KV of the test's: the test decides when anything is written and
 * sees every write. The Ledger object itself is never called, so its alarm stays unset.
 */

export interface KvWrite {
  key: string;
  bytes: number;
  at: number;
}

/** An in-memory KV that keeps values and counts every write (the writer's sink). */
export class RecordingKv {
  readonly values = new Map<string, string | Uint8Array>();
  readonly puts: KvWrite[] = [];
  readonly deletes: string[] = [];
  /** The time a put is recorded at (a simulated clock, or the wall clock). */
  clock: () => number = Date.now;
  /** Called on every put (a test may look at what else happened by then). */
  onPut: (key: string) => void = () => undefined;

  readonly kv = {
    put: async (key: string, value: string | ArrayBuffer | Uint8Array) => {
      const v = typeof value === "string" ? value : new Uint8Array(value).slice();
      this.values.set(key, v);
      this.puts.push({
        key,
        bytes: typeof v === "string" ? v.length : v.byteLength,
        at: this.clock(),
      });
      this.onPut(key);
    },
    get: async (key: string, type?: string) => {
      const v = this.values.get(key);
      if (v === undefined) return null;
      if (type === "arrayBuffer")
        return typeof v === "string" ? new TextEncoder().encode(v).buffer : v.slice().buffer;
      const text = typeof v === "string" ? v : new TextDecoder().decode(v);
      return type === "json" ? JSON.parse(text) : text;
    },
    delete: async (key: string) => {
      this.values.delete(key);
      this.deletes.push(key);
    },
  } as unknown as KVNamespace;
}

export interface LedgerSql {
  sql: SqlStorage;
  storage: DurableObjectStorage;
  store: LedgerStore;
  writer: KvWriter;
  hooks: RecordHooks;
}

/** Runs `work` inside a fresh Ledger object with a writer over its SQLite and `kv`. */
export async function withLedgerSql<T>(
  kv: RecordingKv,
  options: Partial<KvWriterOptions>,
  work: (l: LedgerSql) => Promise<T>,
): Promise<T> {
  const stub = env.LEDGER.get(env.LEDGER.idFromName(`kv-test-${crypto.randomUUID()}`));
  return runInDurableObject(stub, async (_: Ledger, state) => {
    const sql = state.storage.sql;
    const writer = new KvWriter(sql, kv.kv, {
      ipv6Prefix: 64,
      partBytes: 16 * 1024 * 1024,
      writesPerDay: 10_000_000,
      ...options,
    });
    const hooks: RecordHooks = {
      toEntry: (row) => writer.entryOf(row),
      sortKey: (scope, value) => writer.sortKey(scope, value),
      allowed: () => undefined,
      maxDurationMs: Number.MAX_SAFE_INTEGER,
      carve: () => {},
    };
    return work({ sql, storage: state.storage, store: new LedgerStore(sql), writer, hooks });
  });
}

let refs = 0;

/** Records decisions (no alert) as one item each, in one transaction; their ids. */
export function recordDecisions(l: LedgerSql, decisions: DecisionInput[], now: number): number[] {
  return l.storage.transactionSync(() =>
    decisions.map(
      (d) =>
        l.store.record({ ref: `t:${refs++}`, alert: null, decisions: [d] }, now, l.hooks)
          .ids[0] as number,
    ),
  );
}

export function decisionInput(
  scope: string,
  value: string,
  until: number,
  type = "ban",
): DecisionInput {
  return {
    type,
    scope,
    value,
    origin: "crowdsec",
    scenario: "test/kv",
    start: until - 3_600_000,
    until,
  };
}
