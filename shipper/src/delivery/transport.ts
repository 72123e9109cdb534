/**
 * POSTs a batch to the Worker's ingest endpoint and says what to do next: done (2xx),
 * retry (5xx, 429, 408, network errors, timeouts; with Retry-After when sent), blocked
 * (401/403/404: the token or URL is wrong, not the batch; retried slowly, never dropped)
 * or reject (any other 4xx: this batch will never be accepted; it is set aside).
 */
import http from "node:http";
import https from "node:https";
import { parseRetryAfter } from "./backoff";

export type Outcome =
  | { kind: "ok"; status: number; accepted: number | undefined; duplicate: boolean }
  | { kind: "retry"; status: number | undefined; reason: string; retryAfterMs: number | undefined }
  | { kind: "blocked"; status: number; reason: string }
  | { kind: "reject"; status: number; reason: string };

export interface Transport {
  post(body: Buffer, gzip: boolean, signal?: AbortSignal): Promise<Outcome>;
  close(): void;
}

const BLOCKED = new Set([401, 403, 404]);
const MAX_BODY = 16_384;

function snippet(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}

/** The Worker's counts: `accepted` lines, and `duplicate` when the batch id was already done
 * (the Worker then repeats the batch's first counts). */
function countsOf(text: string): { accepted: number | undefined; duplicate: boolean } {
  try {
    const v = JSON.parse(text) as { accepted?: unknown; duplicate?: unknown };
    const accepted = typeof v.accepted === "number" ? v.accepted : undefined;
    return { accepted, duplicate: v.duplicate === true };
  } catch {
    return { accepted: undefined, duplicate: false };
  }
}

/** What a response means for the batch. */
export function classify(
  status: number,
  retryAfter: string | undefined,
  body: string,
  nowMs: number,
): Outcome {
  if (status >= 200 && status < 300) return { kind: "ok", status, ...countsOf(body) };
  const reason = `HTTP ${status}${body.trim() === "" ? "" : `: ${snippet(body)}`}`;
  if (status >= 500 || status === 429 || status === 408)
    return { kind: "retry", status, reason, retryAfterMs: parseRetryAfter(retryAfter, nowMs) };
  if (BLOCKED.has(status)) return { kind: "blocked", status, reason };
  return { kind: "reject", status, reason };
}

export interface HttpTransportOptions {
  url: string;
  token: string;
  timeoutMs: number;
  userAgent: string;
  now?: () => number;
}

export function httpTransport(o: HttpTransportOptions): Transport {
  const u = new URL(o.url);
  const mod = u.protocol === "https:" ? https : http;
  const agent = new mod.Agent({ keepAlive: true, maxSockets: 4 });
  const now = o.now ?? Date.now;
  const post = (body: Buffer, gzip: boolean, signal?: AbortSignal) =>
    new Promise<Outcome>((resolve) => {
      const headers: Record<string, string | number> = {
        authorization: `Bearer ${o.token}`,
        "content-type": "application/json",
        "content-length": body.length,
        "user-agent": o.userAgent,
      };
      if (gzip) headers["content-encoding"] = "gzip";
      const opts: http.RequestOptions = { method: "POST", agent, headers, timeout: o.timeoutMs };
      if (signal !== undefined) opts.signal = signal;
      const req = mod.request(u, opts, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve(classify(res.statusCode ?? 0, res.headers["retry-after"], text, now()));
        });
        res.on("error", (e) =>
          resolve({ kind: "retry", status: undefined, reason: e.message, retryAfterMs: undefined }),
        );
      });
      req.on("timeout", () => req.destroy(new Error(`no response within ${o.timeoutMs} ms`)));
      req.on("error", (e: NodeJS.ErrnoException) =>
        resolve({
          kind: "retry",
          status: undefined,
          reason: e.code ? `${e.code} ${e.message}` : e.message,
          retryAfterMs: undefined,
        }),
      );
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}
