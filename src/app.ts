import { type Context, Hono } from "hono";
import { configOf, varsWith, type WorkerConfig } from "./config";
import { type AccessRecord, parserFor } from "./core/parser/index";
import { accessRecordOf } from "./edge/access-record";
import { Enforcer, type OwnRouteExemption, type PalisadeOptions } from "./edge/enforcer";
import type { LearnedDecision } from "./edge/learned";
import { proxyToOrigin } from "./edge/origin";
import { deny } from "./edge/pages";
import { ownRoutesGuard, palisadeWith } from "./edge/palisade";
import type { Env } from "./env";
import { errorResponse, onError, PalisadeHttpError, toPalisadeError } from "./http/error";
import type { PalisadeApp, RouteRegistrar } from "./http/routes";

export interface AppOptions {
  /** Palisade's own routes, registered before the visitors' enforcement. */
  routes?: readonly RouteRegistrar[];
  palisade?: PalisadeOptions;
  /**
   * Which requests to Palisade's own routes pass their source's decision (an operator
   * recovering: the Worker exempts the admin token). Default: none.
   */
  ownRouteExemption?: OwnRouteExemption;
  /**
   * Edge-native detection (EDGE_DETECTION): receives a record of each request passed to
   * the origin, after its answer; the Worker's entry hands them to ingest's EdgeFeed.
   */
  detection?: AccessSink;
}

/** Where the edge's access records go; `learn` enforces the decisions they lead to at once. */
export interface AccessSink {
  record(
    r: AccessRecord,
    cfg: WorkerConfig,
    env: Env,
    waitUntil: (promise: Promise<unknown>) => void,
    learn: (decisions: readonly LearnedDecision[]) => void,
  ): void;
}

export interface PalisadeWorker {
  /** The whole Worker as a Hono app (what `fetch` hands `/_palisade/` requests to). */
  app: PalisadeApp;
  /** The Worker's fetch handler. */
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
}

/**
 * The Worker's Hono app, in matching order: the own-route guard (a source with a live
 * decision gets no Palisade route but what `ownRouteExemption` lets through), Palisade's
 * routes (health, then each registrar's), the `palisade()` middleware (which also serves
 * the captcha verify POST),
 * a JSON 404 for any other `/_palisade/` path, and the origin for everything else.
 */
export function createApp(options: AppOptions = {}, enforcer?: Enforcer): PalisadeApp {
  const app: PalisadeApp = new Hono<{ Bindings: Env }>();
  const guard = enforcer ?? new Enforcer(options.palisade);
  app.onError(onError);
  app.use("/_palisade/*", ownRoutesGuard(guard, options.ownRouteExemption ?? (() => false)));
  app.get("/_palisade/v1/health", (c) => health(c, guard));
  for (const register of options.routes ?? []) register(app);
  app.use("*", palisadeWith(guard));
  app.all("/_palisade/*", (c) => {
    throw new PalisadeHttpError(
      404,
      "not_found",
      `No Palisade route ${c.req.method} ${c.req.path}.`,
    );
  });
  app.all("*", async (c) => {
    const cfg = configOf(varsWith(c.env, options.palisade?.vars));
    const response = await proxyToOrigin(c.req.raw, cfg.originUrl);
    observe(options.detection, guard, c.req.raw, response, cfg, c.env, (p) => {
      try {
        c.executionCtx.waitUntil(p);
      } catch {
        p.catch(() => undefined);
      }
    });
    return response;
  });
  return app;
}

/**
 * The Worker: `/_palisade/` requests (and any path with a percent-escape, which Hono
 * decodes before routing) go through the Hono app; a visitor's request takes a fast path
 * that skips the router (enforcement, then the origin) with the same enforcer, so a
 * clean visitor costs a header read and a blocklist lookup on top of the proxying.
 */
export function createWorker(options: AppOptions = {}): PalisadeWorker {
  const enforcer = new Enforcer(options.palisade);
  const app = createApp(options, enforcer);
  return {
    app,
    async fetch(request, env, ctx) {
      const cfg = configOf(varsWith(env, options.palisade?.vars));
      if (cfg.unsafe.length > 0) {
        const refused = refuseUnsafe(request, cfg);
        if (refused) return refused;
      }
      const path = visitorPath(request.url);
      if (path === undefined || path === enforcer.verifyPath) return app.fetch(request, env, ctx);
      try {
        const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
        const verdict = enforcer.guard(request, env, path, waitUntil);
        const stop = verdict instanceof Promise ? await verdict : verdict;
        if (stop) return stop;
        const response = await proxyToOrigin(request, cfg.originUrl);
        observe(options.detection, enforcer, request, response, cfg, env, waitUntil);
        return response;
      } catch (err) {
        return errorResponse(toPalisadeError(err));
      }
    },
  };
}

/**
 * `/health`: this isolate's blocklist, as it is (asking does not load it): `ok` (200)
 * while it enforces it (or no visitor has needed it yet); `degraded` (200) when it
 * enforces all but keys it could not decode (reported to the Ledger, which rewrites
 * them); `failing` (503) when the fail mode applies (it could not be loaded, or
 * refreshes have failed past BLOCKLIST_STALE_MS).
 */
function health(c: Context<{ Bindings: Env }>, enforcer: Enforcer): Response {
  const b = enforcer.blocklistStatus();
  const failing = b.state === "stale" || b.state === "unavailable";
  const status = failing ? "failing" : b.state === "degraded" ? "degraded" : "ok";
  const blocklist = {
    ...b,
    loaded_at: b.loaded_at === null ? null : new Date(b.loaded_at).toISOString(),
  };
  const parsers = parserFor("nginx") ? "loaded" : "missing";
  return c.json({ ok: !failing, status, parsers, blocklist }, failing ? 503 : 200);
}

/**
 * Hands the record of a request the origin answered to edge-native detection. Never
 * fails the visitor: the answer is already theirs, whatever detection does.
 */
function observe(
  sink: AccessSink | undefined,
  enforcer: Enforcer,
  request: Request,
  response: Response,
  cfg: WorkerConfig,
  env: Env,
  waitUntil: (promise: Promise<unknown>) => void,
): void {
  if (!sink || !cfg.edgeDetection.enabled) return;
  try {
    const r = accessRecordOf(request, response, cfg.edgeDetection, Date.now());
    if (r) sink.record(r, cfg, env, waitUntil, (ds) => enforcer.learn(ds, env));
  } catch (e) {
    console.error("palisade.edge.detect_failed", { message: String(e) });
  }
}

const warnedLocal = new WeakSet<WorkerConfig>();

/**
 * Example secrets or Turnstile test keys (config.ts `unsafe`) outside PALISADE_ENV=local:
 * the Worker refuses to serve anything (503), and says why in the log on every request,
 * so such a deployment cannot go unnoticed. The answer itself names no setting: it is
 * public, and would tell an attacker which secret is the published one. Locally they
 * are expected: one warning per isolate.
 */
function refuseUnsafe(request: Request, cfg: WorkerConfig): Response | undefined {
  const names = cfg.unsafe.map((u) => u.name).join(", ");
  const message = cfg.unsafe.map((u) => u.why).join(" ");
  if (cfg.local) {
    if (!warnedLocal.has(cfg)) {
      warnedLocal.add(cfg);
      console.warn("palisade.config.unsafe", {
        settings: names,
        message: `Running with example or test settings (${names}): fine for PALISADE_ENV=local, refused anywhere else. ${message}`,
      });
    }
    return undefined;
  }
  console.error("palisade.config.unsafe", {
    settings: names,
    message: `Palisade refuses to serve: ${message} (PALISADE_ENV=local allows them on a developer's machine only.)`,
  });
  return deny(request, {
    status: 503,
    code: "unsafe_configuration",
    title: "Service unavailable",
    message:
      "Palisade refuses to serve with example secrets or test keys outside PALISADE_ENV=local; the site's operator finds which in the Worker's log (wrangler tail).",
  });
}

/** The URL's path when it is a visitor's (not under /_palisade/, no escapes), else undefined. */
function visitorPath(url: string): string | undefined {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  const path = query < 0 ? url.slice(start) : url.slice(start, query);
  return path.startsWith("/_palisade/") || path.includes("%") ? undefined : path;
}
