import {
  CURSOR_HEADER,
  DEFAULT_STREAM_SCOPES,
  type LapiDecisionsQuery,
  lapiDecisionListSchema,
  lapiDecisionStreamSchema,
  lapiDecisionsQuerySchema,
  lapiErrorSchema,
  lapiStreamQuerySchema,
} from "../contract/lapi";
import { normalizeIp } from "../core/ip";
import type { PullAuth, PullRequest, PullStart } from "../durable/ledger/index";
import { hashToken } from "../durable/ledger/index";
import { credentialGuard } from "../http/credential-guard";
import { PalisadeHttpError } from "../http/error";
import { lapiFilter } from "./filters";
import { type ApiContext, ledger, parseQuery } from "./input";
import { pagedBody } from "./paged-body";
import type { RouteDef } from "./route";

/**
 * The bouncer API (CrowdSec LAPI): `GET|HEAD /v1/decisions` and
 * `GET|HEAD /v1/decisions/stream`, authenticated by `X-Api-Key`. Each poll is one Ledger
 * call (authentication, the query and the cursor move together) unless a startup dump
 * needs more pages.
 */

/** Rows per Ledger page (about 170 bytes each in JSON); tests lower it to exercise paging. */
export const pullSettings = { pageSize: 10_000 };

const STREAM_FRAME = ['{"new":', ',"deleted":', "}"] as const;
const LIST_FRAME = ["", ""] as const;

async function decisions(c: ApiContext): Promise<Response> {
  const q = parseQuery(c, lapiDecisionsQuerySchema, 400);
  const auth = await bouncerAuth(c);
  // HEAD: the key is checked, nothing is read or recorded (CrowdSec answers it bodiless too).
  if (c.req.raw.method === "HEAD") {
    await pull(c, auth, request("check", q, false, null));
    return lapiResponse(c, null);
  }
  const start = await pull(c, auth, request("list", q, false, null));
  return lapiResponse(c, bodyOf(c, start, LIST_FRAME, auth));
}

async function stream(c: ApiContext): Promise<Response> {
  const q = parseQuery(c, lapiStreamQuerySchema, 400);
  const auth = await bouncerAuth(c);
  const filter = { ...q, scopes: q.scopes ?? [...DEFAULT_STREAM_SCOPES] };
  // HEAD: CrowdSec answers 200 without moving the cursor; Palisade checks the key first.
  const head = c.req.raw.method === "HEAD";
  const req = request(head ? "check" : "stream", filter, q.startup ?? false, q.since ?? null);
  const start = await pull(c, auth, req);
  if (head) return lapiResponse(c, null);
  return lapiResponse(c, bodyOf(c, start, STREAM_FRAME, auth), {
    [CURSOR_HEADER]: String(start.plan.upto),
  });
}

function request(
  mode: PullRequest["mode"],
  q: LapiDecisionsQuery,
  startup: boolean,
  since: number | null,
): PullRequest {
  return { mode, startup, since, filter: lapiFilter(q), pageSize: pullSettings.pageSize };
}

/** The Ledger's pull; a key it refuses is remembered, so guessing costs it one call per key. */
async function pull(c: ApiContext, auth: PullAuth, req: PullRequest): Promise<PullStart> {
  const credential = `bouncer:${auth.keyHash}`;
  if (credentialGuard.check(c.req.raw, credential) === "known_bad") throw forbidden();
  const start = await ledger(c).pull(auth, req);
  if (start === null) {
    credentialGuard.refused(c.req.raw, credential);
    throw forbidden();
  }
  return start;
}

function bodyOf(c: ApiContext, start: PullStart, frame: readonly string[], auth: PullAuth) {
  const l = ledger(c);
  return pagedBody(start, frame, (part, after, last) =>
    l.pullPage(start.plan, part, after, last, auth.userAgent),
  );
}

/** The bouncer's key and who is asking; 403 with CrowdSec's body for a missing or unknown key. */
async function bouncerAuth(c: ApiContext): Promise<PullAuth> {
  const key = c.req.header("X-Api-Key")?.trim();
  if (!key) throw forbidden();
  const ip = c.req.header("CF-Connecting-IP");
  return {
    keyHash: await hashToken(key),
    ip: (ip && normalizeIp(ip)) || "unknown",
    userAgent: c.req.header("User-Agent")?.slice(0, 256) ?? null,
  };
}

function forbidden(): PalisadeHttpError {
  return new PalisadeHttpError(403, "access_forbidden", "access forbidden", {
    path: "headers.x-api-key",
  });
}

/**
 * A LAPI answer. A body that may be large (a startup dump streams page by page: it is
 * never whole in the Worker's memory) is gzip-compressed on the way out for a client that
 * accepts it, as Go's HTTP client (every CrowdSec bouncer) does by default; a small one
 * (an incremental poll) goes as it is.
 */
function lapiResponse(
  c: ApiContext,
  body: BodyInit | null,
  headers: Record<string, string> = {},
): Response {
  const base = {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    Vary: "Accept-Encoding",
    ...headers,
  };
  const small = body === null || (body instanceof Blob && body.size < GZIP_MIN_BYTES);
  if (small || !acceptsGzip(c.req.header("Accept-Encoding"))) {
    return new Response(body, { status: 200, headers: base });
  }
  const raw = body instanceof ReadableStream ? body : new Response(body).body;
  return new Response(raw?.pipeThrough(new CompressionStream("gzip")) ?? null, {
    status: 200,
    headers: { ...base, "Content-Encoding": "gzip" },
    // The bytes are gzip already: workerd must not encode them again.
    encodeBody: "manual",
  });
}

/** Bodies below this go uncompressed: gzip's own header would be most of it. */
const GZIP_MIN_BYTES = 1024;

/** Whether an Accept-Encoding header lists gzip with a non-zero quality. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "x-gzip" && coding !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const forbiddenResponse = { description: "Missing or unknown API key", schema: lapiErrorSchema };
const badQuery = {
  description: "A filter that cannot be read (names the query key)",
  schema: lapiErrorSchema,
};

export const bouncerRoutes: RouteDef[] = [
  {
    method: "GET",
    path: "/_palisade/v1/decisions",
    operationId: "getDecisions",
    summary: "Active decisions matching the filters (null when none)",
    tag: "bouncers",
    auth: "apiKey",
    query: lapiDecisionsQuerySchema,
    responses: {
      200: { description: "The decisions, or null", schema: lapiDecisionListSchema },
      400: badQuery,
      403: forbiddenResponse,
    },
    handler: decisions,
  },
  {
    method: "HEAD",
    path: "/_palisade/v1/decisions",
    operationId: "headDecisions",
    summary: "GET /v1/decisions without a body",
    tag: "bouncers",
    auth: "apiKey",
    query: lapiDecisionsQuerySchema,
    responses: { 200: { description: "Key accepted" }, 403: forbiddenResponse },
  },
  {
    method: "GET",
    path: "/_palisade/v1/decisions/stream",
    operationId: "getDecisionsStream",
    summary: "New and deleted decisions since this bouncer instance's previous pull",
    description:
      "Cursor per (API key, CF-Connecting-IP): instances sharing a key each get every change. `startup=true` (or a first pull) sends every active decision as `new`. `since=<seq>` reads from a client-held cursor (the `X-Palisade-Cursor` header of a previous answer) and leaves the server's cursor alone. Default scopes: ip,range. One decision per (value, type, scope), after filtering.",
    tag: "bouncers",
    auth: "apiKey",
    query: lapiStreamQuerySchema,
    responses: {
      200: {
        description: "`{new, deleted}`, each null when empty",
        schema: lapiDecisionStreamSchema,
      },
      400: badQuery,
      403: forbiddenResponse,
    },
    handler: stream,
  },
  {
    method: "HEAD",
    path: "/_palisade/v1/decisions/stream",
    operationId: "headDecisionsStream",
    summary: "Checks the key; the cursor does not move",
    tag: "bouncers",
    auth: "apiKey",
    responses: { 200: { description: "Key accepted" }, 403: forbiddenResponse },
  },
];
