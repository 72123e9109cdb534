/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { MiddlewareHandler } from "hono";
import { hashToken, sameHash } from "../durable/ledger/index";
import type { Env } from "../env";
import type { PalisadeApp, RouteRegistrar } from "../http/routes";
import { accessConfig } from "./access";
import { consoleActions } from "./actions";
import { ConsoleApi } from "./api";
import { stateOf } from "./context";
import { page } from "./errors";
import { href } from "./layout";
import { consolePages } from "./pages";
import { LoginPage } from "./pages/login";
import {
  CONSOLE_BASE,
  type ConsoleContext,
  currentSession,
  endSession,
  loginToken,
  loginTokenValid,
  sameOrigin,
  sameText,
  startSession,
} from "./session";

export { CONSOLE_BASE } from "./session";

/**
 * The web console at /_palisade/console/: server-rendered pages (Hono JSX, no script)
 * over the admin API. Only the login page is served without a session; every form
 * carries the session's CSRF token and every POST is checked before anything runs.
 */
export const consoleRoutes: RouteRegistrar = (app) => {
  const base = CONSOLE_BASE;
  app.use(`${base}/*`, securityHeaders);
  app.use(base, securityHeaders);
  app.get(base, (c) => c.redirect(`${base}/`, 301));
  app.get(`${base}/login`, (c) => loginForm(c));
  app.post(`${base}/login`, login);
  app.use(`${base}/*`, requireSession);
  app.post(`${base}/logout`, async (c) => {
    const s = stateOf(c).session;
    if (s) await endSession(c, s);
    return c.redirect(`${base}/login`, 303);
  });
  const api = (c: ConsoleContext) => new ConsoleApi(app as PalisadeApp, c);
  consolePages(app, api);
  consoleActions(app, api);
  app.all(`${base}/*`, (c) => page(c, 404, "Not found", "No console page here."));
};

const securityHeaders: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const { nonce } = stateOf(c);
  await next();
  const h = c.res.headers;
  h.set(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
  h.set("X-Frame-Options", "DENY");
  h.set("X-Content-Type-Options", "nosniff");
  // Not no-referrer: under it browsers send `Origin: null` on form posts, which the
  // CSRF check refuses; same-origin keeps the console's URLs from other sites all the same.
  h.set("Referrer-Policy", "same-origin");
  h.set("Cache-Control", "no-store");
};

/** No session: a page is sent to the login form, anything else refused. A POST must carry the CSRF token. */
const requireSession: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const session = await currentSession(c);
  if (!session) {
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      return c.redirect(href("login", { next: c.req.path }), 303);
    }
    return page(c, 401, "Logged out", "Your session ended; log in again.");
  }
  stateOf(c).session = session;
  if (c.req.method !== "GET" && c.req.method !== "HEAD") {
    const form = await c.req.parseBody({ all: true });
    const sent = form._csrf;
    if (!sameOrigin(c) || typeof sent !== "string" || !sameText(sent, session.csrf)) {
      console.warn("palisade.console.csrf_rejected", { path: c.req.path });
      return page(
        c,
        403,
        "Form rejected",
        "This form did not come from this console session (CSRF check); nothing was changed.",
      );
    }
  }
  await next();
};

function loginForm(c: ConsoleContext, status: 200 | 401 | 403 | 503 = 200, error?: string) {
  const access = accessConfig(c.env) !== undefined;
  const tokenLogin = tokenLoginAllowed(c.env);
  const next = safeNext(c.req.query("next"));
  const notice =
    error !== undefined
      ? { kind: "error" as const, text: error }
      : !c.env.PALISADE_ADMIN_TOKEN
        ? {
            kind: "error" as const,
            text: "PALISADE_ADMIN_TOKEN is not set: the console reads the admin API with it.",
          }
        : undefined;
  return c.html(
    <LoginPage
      nonce={stateOf(c).nonce}
      token={loginToken(c)}
      next={next}
      access={access}
      tokenLogin={tokenLogin}
      notice={notice}
    />,
    status,
  );
}

/** With Access configured, the admin token logs in only in local mode. */
function tokenLoginAllowed(env: Env): boolean {
  return accessConfig(env) === undefined || env.PALISADE_ENV === "local";
}

async function login(c: ConsoleContext) {
  const form = await c.req.parseBody();
  if (
    !sameOrigin(c) ||
    !loginTokenValid(c, typeof form._login === "string" ? form._login : undefined)
  ) {
    return loginForm(c, 403, "The login form expired or came from elsewhere; try again.");
  }
  const expected = c.env.PALISADE_ADMIN_TOKEN;
  if (!expected || !tokenLoginAllowed(c.env))
    return loginForm(c, 403, "Log in through Cloudflare Access.");
  const token = typeof form.token === "string" ? form.token : "";
  if (!sameHash(await hashToken(token), await hashToken(expected))) {
    console.warn("palisade.console.login_failed", { ip: c.req.header("CF-Connecting-IP") ?? null });
    return loginForm(c, 401, "That is not the admin token.");
  }
  await startSession(c, "admin token", "token");
  return c.redirect(safeNext(typeof form.next === "string" ? form.next : undefined), 303);
}

/** Where to go after login: a console path, never another site. */
function safeNext(raw: string | undefined): string {
  if (
    raw &&
    /^\/_palisade\/console\/[A-Za-z0-9/._:-]*$/.test(raw) &&
    !raw.includes("..") &&
    !raw.endsWith("/login")
  ) {
    return raw;
  }
  return `${CONSOLE_BASE}/`;
}
