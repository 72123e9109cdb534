import {
  type ConfigVars,
  configOf,
  type VarOverrides,
  varsWith,
  type WorkerConfig,
} from "../config";
import type { Allowlist } from "../core/allowlist";
import { type Blocklist, type DecisionEntry, typeRank } from "../core/blocklist/index";
import { PalisadeHttpError } from "../http/error";
import { builtinAllowlist } from "../hub/index";
import {
  BlocklistCache,
  type BlocklistStatus,
  type ReportBadKey,
  type WaitUntil,
} from "./blocklist-cache";
import { challenge, hasClearance, VERIFY_PATH, verifyCaptcha } from "./captcha";
import { type Client, clientOf } from "./client";
import { type LearnedDecision, LearnedDecisions } from "./learned";
import {
  type EdgeMetricsSink,
  OUTCOME,
  OutcomeCounter,
  type VisitorOrigin,
} from "./outcome-counter";
import { banned, throttled, unavailable } from "./pages";

export interface PalisadeOptions {
  /** The KV namespace holding the blocklist; default the `BLOCKLIST` binding. */
  kv?: (env: PalisadeBindings) => KVNamespace;
  /** Settings on top of the app's vars (same names and parsing as wrangler.toml [vars]). */
  vars?: VarOverrides;
  /** Sources that always pass; default Palisade's built-in allowlist (src/hub/allowlist.yaml). */
  allowlist?: Allowlist;
  /** Where the Turnstile form posts; default /_palisade/v1/captcha/verify. */
  verifyPath?: string;
  /** Clock in ms; default Date.now. */
  now?: () => number;
  /** How long an isolate's first request waits for the blocklist before the fail mode applies. */
  firstLoadTimeoutMs?: number;
  /** Receives the isolate's request counts by outcome, at most every `metricsIntervalMs`. */
  metrics?: EdgeMetricsSink;
  /** Default 60 s. */
  metricsIntervalMs?: number;
  /**
   * Where the isolate reports a KV key it cannot decode (a corrupt delta or base part),
   * once per key: the Worker's entry sends it to the Ledger, which rewrites it.
   */
  repair?: (key: string, reason: string, env: unknown) => Promise<unknown>;
}

/** Whether a request to Palisade's own routes may pass its source's decision (an operator recovering). */
export type OwnRouteExemption = (
  request: Request,
  env: PalisadeBindings | undefined,
) => boolean | Promise<boolean>;

/** What enforcement reads from the app's bindings. */
export type PalisadeBindings = Partial<ConfigVars> & { BLOCKLIST?: KVNamespace };

export type Verdict = Response | undefined;

/**
 * Enforcement without a framework: `guard` answers a request that must be stopped (or
 * the captcha verify POST) and returns undefined for one that goes on. A clean visitor's
 * check is synchronous (no promise, no KV, no allocation in the lookup) once the isolate
 * holds the blocklist. The Hono middleware and the Worker's fast path both wrap one.
 */
export class Enforcer {
  readonly verifyPath: string;
  private readonly now: () => number;
  private readonly failLog = new FailModeLog();
  private readonly outcomes: OutcomeCounter;
  private cache: BlocklistCache | undefined;
  private readonly learned = new LearnedDecisions();

  constructor(private readonly options: PalisadeOptions = {}) {
    this.verifyPath = options.verifyPath ?? VERIFY_PATH;
    this.now = options.now ?? Date.now;
    this.outcomes = new OutcomeCounter(options.metrics, options.metricsIntervalMs);
  }

  /** `path` is the request's URL path (decoded, as Hono's `c.req.path`). */
  guard(
    request: Request,
    env: PalisadeBindings | undefined,
    path: string,
    waitUntil: WaitUntil,
  ): Verdict | Promise<Verdict> {
    const cfg = configOf(varsWith(env ?? {}, this.options.vars));
    if (path === this.verifyPath) return this.verify(request, cfg);
    if (path.startsWith("/_palisade/")) return undefined;
    const list = this.cacheFor(cfg).current(
      this.kvOf(env),
      waitUntil,
      this.reporter(env, waitUntil),
    );
    return list instanceof Promise
      ? list.then((l) => this.decide(request, cfg, l, env, waitUntil))
      : this.decide(request, cfg, list, env, waitUntil);
  }

  /**
   * Palisade's own routes (`/_palisade/…`, but the captcha verify route, which `guard`
   * serves): a source with a live decision gets what a visitor would (403, the challenge,
   * 429), so a banned address gets no ingest, no API and no login, unless `exempt` says
   * the request is how an operator recovers (the admin token: lifting a ban on oneself).
   * It reads the blocklist the isolate holds and never loads one itself: Palisade's
   * routes never wait on KV, and a copy loaded by an ingest request would leave the
   * bans that ingest is about to make unseen by visitors for BLOCKLIST_REFRESH_MS. An
   * isolate that has served no visitor yet has none, and lets them through. Never the
   * fail mode either: that is the visitors'.
   */
  guardOwn(
    request: Request,
    env: PalisadeBindings | undefined,
    waitUntil: WaitUntil,
    exempt: OwnRouteExemption,
  ): Verdict | Promise<Verdict> {
    const kv = this.options.kv ? this.options.kv(env ?? {}) : env?.BLOCKLIST;
    const list = kv ? this.cache?.held(kv, waitUntil) : undefined;
    if (!list) return undefined;
    const at = this.now();
    const hit = this.hit(request, list, at);
    if (!hit) return undefined;
    const cfg = configOf(varsWith(env ?? {}, this.options.vars));
    return Promise.resolve(exempt(request, env)).then((ok) =>
      ok ? undefined : enforce(request, hit.client, hit.d, cfg, this.verifyPath, at),
    );
  }

  /**
   * Decisions the trackers just made on sources this isolate poured (edge-native
   * detection): enforced here at once, beside the KV copy (learned.ts).
   */
  learn(decisions: readonly LearnedDecision[], env: PalisadeBindings | undefined): void {
    const cfg = configOf(varsWith(env ?? {}, this.options.vars));
    this.learned.learn(decisions, cfg.ipv6Prefix, this.now());
  }

  /** The live decision on the request's source, unless an allowlist lets it through. */
  private hit(
    request: Request,
    list: Blocklist,
    at: number,
  ): { client: Client; d: DecisionEntry } | undefined {
    const client = clientOf(request, list.usesGeo);
    const ip = client.ip;
    if (ip === undefined && client.country === undefined && client.asn === undefined) return;
    const d =
      list.lookup({ ip: ip ?? "", country: client.country, asn: client.asn }, at) ??
      (ip === undefined ? undefined : this.learned.lookup(ip, at));
    if (!d || (ip !== undefined && this.allowed(ip))) return undefined;
    return { client, d };
  }

  /**
   * The isolate's blocklist status (`/health`), as it is: asking does not load it (a
   * load would start this isolate's refresh clock early and delay the next change).
   */
  blocklistStatus(): BlocklistStatus {
    return this.cache?.status(this.now()) ?? idleStatus();
  }

  private kvOf(env: PalisadeBindings | undefined): KVNamespace {
    const kv = this.options.kv ? this.options.kv(env ?? {}) : env?.BLOCKLIST;
    if (!kv) throw new Error("palisade: no BLOCKLIST KV binding and no kv option");
    return kv;
  }

  private reporter(
    env: PalisadeBindings | undefined,
    waitUntil: WaitUntil,
  ): ReportBadKey | undefined {
    const repair = this.options.repair;
    if (!repair) return undefined;
    return (key, reason) =>
      waitUntil(
        repair(key, reason, env).catch((e: unknown) =>
          console.error("palisade.blocklist.report_failed", { key, message: String(e) }),
        ),
      );
  }

  private verify(request: Request, cfg: WorkerConfig): Promise<Response> {
    if (request.method !== "POST") {
      throw new PalisadeHttpError(405, "method_not_allowed", `${this.verifyPath} takes a POST.`, {
        headers: { Allow: "POST" },
      });
    }
    return verifyCaptcha(request, clientOf(request, false), cfg, this.verifyPath, this.now());
  }

  private cacheFor(cfg: WorkerConfig): BlocklistCache {
    const timeout = this.options.firstLoadTimeoutMs;
    this.cache ??= new BlocklistCache({
      refreshMs: cfg.refreshMs,
      staleMs: cfg.blocklistStaleMs,
      ipv6Prefix: cfg.ipv6Prefix,
      now: this.now,
      ...(timeout === undefined ? {} : { firstLoadTimeoutMs: timeout }),
    });
    return this.cache;
  }

  private decide(
    request: Request,
    cfg: WorkerConfig,
    list: Blocklist | undefined,
    env: PalisadeBindings | undefined,
    waitUntil: WaitUntil,
  ): Verdict | Promise<Verdict> {
    const at = this.now();
    if (!list) {
      this.failLog.hit(cfg.failMode, at, this.cache?.status(at).state ?? "unavailable");
      this.outcomes.hit(
        cfg.failMode === "closed" ? OUTCOME.fail_closed : OUTCOME.fail_open,
        at,
        env,
        waitUntil,
      );
      return cfg.failMode === "closed" ? unavailable(request) : undefined;
    }
    const client = clientOf(request, list.usesGeo);
    const ip = client.ip;
    const d =
      ip === undefined && client.country === undefined && client.asn === undefined
        ? undefined
        : (list.lookup({ ip: ip ?? "", country: client.country, asn: client.asn }, at) ??
          (ip === undefined ? undefined : this.learned.lookup(ip, at)));
    if (!d) {
      this.outcomes.hit(OUTCOME.pass, at, env, waitUntil);
      return undefined;
    }
    if (ip !== undefined && this.allowed(ip)) {
      this.outcomes.hit(OUTCOME.allowlisted, at, env, waitUntil);
      return undefined;
    }
    const rank = typeRank(d.type);
    const outcome = rank === 1 ? OUTCOME.captcha : rank === 2 ? OUTCOME.throttle : OUTCOME.ban;
    this.outcomes.hit(outcome, at, env, waitUntil, visitorOrigin(request));
    return enforce(request, client, d, cfg, this.verifyPath, at);
  }

  /** The built-in (or configured) allowlist, then the operator's from KV (`bl:allow:*`). */
  private allowed(ip: string): boolean {
    const base = this.options.allowlist ?? builtinAllowlist();
    return base.lookupIp(ip) !== undefined || this.cache?.allowlist?.lookupIp(ip) !== undefined;
  }
}

function idleStatus(): BlocklistStatus {
  return {
    state: "idle",
    epoch: null,
    base_parts: 0,
    deltas: 0,
    bad_keys: [],
    loaded_at: null,
    failures: 0,
    last_error: null,
  };
}

/** ban and unknown types: 403 (CrowdSec bouncers' default fallback); captcha; throttle: 429. */
function enforce(
  request: Request,
  client: Client,
  d: DecisionEntry,
  cfg: WorkerConfig,
  verifyPath: string,
  now: number,
): Verdict | Promise<Verdict> {
  switch (typeRank(d.type)) {
    case 1:
      return hasClearance(request, client, cfg, now).then((cleared) =>
        cleared ? undefined : challenge(request, cfg, verifyPath),
      );
    case 2:
      return throttled(request, Math.max(1, Math.ceil((d.until - now) / 1000)), d.id);
    default:
      return banned(request, d.id);
  }
}

/** `request.cf`'s country and ASN, read only for a visitor who is stopped (the overview's map). */
function visitorOrigin(request: Request): VisitorOrigin | undefined {
  const cf = (request as { cf?: { country?: unknown; asn?: unknown } }).cf;
  if (!cf) return undefined;
  return {
    country: typeof cf.country === "string" ? cf.country : undefined,
    asn: typeof cf.asn === "number" ? cf.asn : undefined,
  };
}

/** Logs visitors let through (open) or turned away (closed) without a blocklist, once a second. */
class FailModeLog {
  private count = 0;
  private loggedAt = Number.NEGATIVE_INFINITY;

  hit(mode: "open" | "closed", now: number, state: string): void {
    this.count++;
    if (now - this.loggedAt < 1000) return;
    const why =
      state === "stale" ? "is stale (refreshes failing past BLOCKLIST_STALE_MS)" : "is unavailable";
    console.error("palisade.failmode", {
      mode,
      state,
      requests: this.count,
      message:
        mode === "open"
          ? `The blocklist ${why}; visitors are let through unchecked (FAIL_MODE=open).`
          : `The blocklist ${why}; visitors are answered 503 (FAIL_MODE=closed).`,
    });
    this.loggedAt = now;
    this.count = 0;
  }
}
