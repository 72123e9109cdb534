import { type Problem, problem } from "../errors";
import type { Connection } from "./connection";

/**
 * The admin commands' error messages, each in three parts (what happened / why / how to
 * fix), built from what the Worker answered. The API's `error.path` (`body.duration`,
 * `query.ip`, `params.id`) is translated back into the flag that set it.
 */

export interface ApiError {
  status: number;
  code: string;
  message: string;
  path?: string | undefined;
}

export interface FailureContext {
  conn: Connection;
  /** What the command was doing: "add the decision". */
  action: string;
  /** API field path (`body.duration`) → the flag or argument that set it (`--duration`). */
  flags?: Readonly<Record<string, string>> | undefined;
  /** A fix for a status or code (`"404"`, `"allowlisted"`), when the generic one is too vague. */
  fixes?: Readonly<Record<string, string>> | undefined;
  /** The Worker secret the token must equal (PALISADE_ADMIN_TOKEN, or the commons' own). */
  secret?: string | undefined;
}

export const message = problem;

/** The network failed before any answer. */
export function unreachable(ctx: FailureContext, err: unknown): Problem {
  const { conn } = ctx;
  const reason = networkReason(err);
  return message(
    `cannot ${ctx.action}: the Worker at ${conn.base} did not answer (${reason}).`,
    `nothing answers at that address (it comes from ${conn.urlFrom}), or the network is down.`,
    "check the URL; locally, start the Worker with `npm start` (http://127.0.0.1:8787); when deployed, check the route with `wrangler deployments list`.",
  );
}

function networkReason(err: unknown): string {
  if (err instanceof Error && err.name === "TimeoutError") return "no answer within 30 s";
  const cause =
    err instanceof Error
      ? (err.cause as { code?: unknown; message?: unknown } | undefined)
      : undefined;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** An answer that is not Palisade's: a site's origin, a proxy's error page, an old Worker. */
export function foreign(ctx: FailureContext, status: number, contentType: string): Problem {
  return message(
    `cannot ${ctx.action}: ${ctx.conn.base} answered HTTP ${status} (${contentType || "no content type"}), not Palisade's admin API.`,
    `the URL (from ${ctx.conn.urlFrom}) may point at the origin or another service rather than the Palisade Worker, or that Worker predates the admin API.`,
    "give the host the Palisade Worker fronts (its routes serve /_palisade/v1/health), and deploy the current version.",
  );
}

/** An answer with Palisade's error body. */
export function apiFailure(ctx: FailureContext, e: ApiError): Problem {
  const where = e.path ? ` at ${e.path}` : "";
  const head = `cannot ${ctx.action}: the API answered ${e.status} ${e.code}${where}.`;
  if (e.status === 401) {
    return message(
      head,
      e.message,
      "give the admin token with --token, PALISADE_TOKEN, or token: in the config file.",
    );
  }
  if (e.status === 403) {
    return message(
      `cannot ${ctx.action}: the admin token was refused (403 ${e.code}).`,
      `the token from ${ctx.conn.tokenFrom} is not the ${secretOf(ctx)} of ${ctx.conn.base}.`,
      `use that Worker's ${secretOf(ctx)} secret (locally in .dev.vars); to set a new one: wrangler secret put ${secretOf(ctx)}.`,
    );
  }
  return message(head, e.message, fixFor(ctx, e));
}

function secretOf(ctx: FailureContext): string {
  return ctx.secret ?? "PALISADE_ADMIN_TOKEN";
}

function fixFor(ctx: FailureContext, e: ApiError): string {
  const own = ctx.fixes?.[e.code] ?? ctx.fixes?.[String(e.status)];
  if (own) return own;
  if (e.code === "admin_not_configured") {
    return `set the secret (wrangler secret put ${secretOf(ctx)}; locally in .dev.vars) and use the same value here.`;
  }
  const flag = flagFor(ctx, e.path);
  if (flag) return `correct ${flag} and run the command again.`;
  if (e.status >= 500) {
    return "this is the Worker's fault, not the command's: retry, and read its logs (wrangler tail) if it persists.";
  }
  return "correct the command (palisade help shows the flags) and run it again.";
}

/** `body.duration` → `--duration`, `query.ip` → `--ip`, `body[0].x` → its top-level key. */
function flagFor(ctx: FailureContext, path: string | undefined): string | undefined {
  if (!path) return undefined;
  const mapped = ctx.flags?.[path];
  if (mapped) return mapped;
  const m = /^(?:body|query|params)\.([a-z_]+)/.exec(path);
  const key = m?.[1];
  if (!key) return undefined;
  return ctx.flags?.[key] ?? `--${key.replace(/_/g, "-")}`;
}
