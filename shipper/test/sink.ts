/**
 * A loopback HTTP server standing in for the Worker's ingest route: bearer token, JSON
 * body (gzip or not) validated with the Worker's own schema (src/contract/ingest.ts, 422
 * with the Worker's error body when it fails), 200 with counts, a batch id already
 * accepted acknowledged without being counted again. Tests steer it:
 * forced responses (5xx, 429 + Retry-After, 400), "accept then drop the connection"
 * (the ack is lost), going down and coming back on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import type { ErrorBody } from "../../src/contract/error";
import { ingestBatchSchema } from "../../src/contract/ingest";

export interface Accepted {
  id: string;
  source: { type: string; labels: Record<string, string> };
  lines: string[];
}

export interface Attempt {
  id: string | undefined;
  status: number;
  gzip: boolean;
  lines: number;
}

export interface Forced {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export const INGEST = "/_palisade/v1/ingest";

export class Sink {
  readonly accepted: Accepted[] = [];
  readonly attempts: Attempt[] = [];
  private readonly seen = new Set<string>();
  private readonly forced: Array<Forced | "accept-then-drop" | "accept-then-hang"> = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(readonly token: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every accepted line, in the order the sink accepted them. */
  lines(): string[] {
    return this.accepted.flatMap((a) => a.lines);
  }

  /** Ids sent again after they were accepted (acknowledged, not counted again). */
  readonly duplicateIds: string[] = [];

  /** The next `n` requests get `response` (recorded, not accepted). */
  failNext(n: number, response: Forced): void {
    for (let i = 0; i < n; i++) this.forced.push(response);
  }

  /** The next request is accepted (counted) but its connection dropped before the reply. */
  acceptThenDrop(): void {
    this.forced.push("accept-then-drop");
  }

  /** The next request is accepted (counted) and never answered (the shipper dies waiting). */
  acceptThenHang(): void {
    this.forced.push("accept-then-hang");
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts every open connection (a Worker restart or outage). */
  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const gzip = req.headers["content-encoding"] === "gzip";
    const reply = (status: number, body: unknown, id?: string, lines = 0) => {
      this.attempts.push({ id, status, gzip, lines });
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== INGEST) return reply(404, { error: "not found" });
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return reply(401, { error: "bad token" });
    if (req.headers["content-type"] !== "application/json")
      return reply(415, { error: "json only" });
    let doc: unknown;
    try {
      const raw = Buffer.concat(chunks);
      doc = JSON.parse((gzip ? gunzipSync(raw) : raw).toString("utf8"));
    } catch {
      return reply(400, { error: { code: "invalid_json", message: "bad body" } });
    }
    const parsed = ingestBatchSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const body: ErrorBody = {
        error: {
          code: "invalid_batch",
          message: issue?.message ?? "invalid",
          path: issue?.path.join(".") ?? "",
        },
      };
      return reply(422, body);
    }
    const b = parsed.data;
    const batch: Accepted = {
      id: b.batch_id,
      source: b.source as Accepted["source"],
      lines: b.lines,
    };
    const forced = this.forced.shift();
    if (forced === "accept-then-drop" || forced === "accept-then-hang") {
      this.accept(batch);
      this.attempts.push({ id: batch.id, status: 0, gzip, lines: batch.lines.length });
      if (forced === "accept-then-drop") req.socket.destroy();
      return;
    }
    if (forced !== undefined) {
      this.attempts.push({ id: batch.id, status: forced.status, gzip, lines: batch.lines.length });
      res.writeHead(forced.status, forced.headers ?? {}).end(forced.body ?? "");
      return;
    }
    const fresh = this.accept(batch);
    if (!fresh) this.duplicateIds.push(batch.id);
    // Like the Worker: a duplicate is answered with the batch's first counts.
    reply(
      200,
      { batch_id: batch.id, accepted: batch.lines.length, ...(fresh ? {} : { duplicate: true }) },
      batch.id,
      batch.lines.length,
    );
  }

  private accept(b: Accepted): boolean {
    if (this.seen.has(b.id)) return false;
    this.seen.add(b.id);
    if (b.lines.length > 0) this.accepted.push(b);
    return true;
  }
}

export async function startSink(token = "machine-token"): Promise<Sink> {
  const s = new Sink(token);
  await s.up();
  return s;
}
