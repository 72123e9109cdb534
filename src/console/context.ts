import type { LiveSession } from "../durable/ledger/index";
import type { Notice, PageCtx } from "./layout";
import { CONSOLE_BASE, type ConsoleContext } from "./session";

/** Per-request console state (the CSP nonce, the session), beside Hono's context. */
interface RequestState {
  nonce: string;
  session?: LiveSession;
}

const states = new WeakMap<Request, RequestState>();

export function stateOf(c: ConsoleContext): RequestState {
  let s = states.get(c.req.raw);
  if (!s) {
    s = { nonce: nonce() };
    states.set(c.req.raw, s);
  }
  return s;
}

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** What a page shows after an action redirected to it (`?done=CODE&n=N`): fixed texts only. */
const DONE: Record<string, (n: string) => string> = {
  added: () => "Decision added.",
  extended: () =>
    "Decision extended: a new decision of that length was added; the longer one applies.",
  lifted: (n) => `${n || "1"} decision(s) lifted.`,
  allowlisted: (n) => `Allowlisted; ${n || "0"} decision(s) it covered were lifted.`,
  allow_removed: () => "Allowlist entry removed.",
  revoked: () => "Revoked.",
  logged_in: () => "Logged in.",
};

export function pageCtx(c: ConsoleContext): PageCtx {
  const st = stateOf(c);
  const session = st.session;
  if (!session) throw new Error("a console page without a session");
  const code = c.req.query("done");
  const text =
    code === undefined
      ? undefined
      : DONE[code]?.(/^\d{1,6}$/.test(c.req.query("n") ?? "") ? (c.req.query("n") as string) : "");
  const notice: Notice | undefined = text === undefined ? undefined : { kind: "ok", text };
  return { who: session.who, csrf: session.csrf, nonce: st.nonce, path: c.req.path, notice };
}

/** A console path to go back to after an action: relative, no `..`, else the overview. */
export function backPath(raw: unknown, fallback = ""): string {
  if (typeof raw !== "string") return `${CONSOLE_BASE}/${fallback}`;
  const ok = /^[A-Za-z0-9/._:-]{0,200}$/.test(raw) && !raw.includes("..") && !raw.startsWith("/");
  return `${CONSOLE_BASE}/${ok ? raw : fallback}`;
}

export function doneUrl(back: string, code: string, n?: number): string {
  const u = new URL(back, "https://x");
  u.searchParams.set("done", code);
  if (n !== undefined) u.searchParams.set("n", String(n));
  return `${u.pathname}${u.search}`;
}
