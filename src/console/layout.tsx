/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { CONSOLE_BASE } from "./session";
import { CONSOLE_CSS } from "./style";

/** What every page knows about its request. */
export interface PageCtx {
  who: string;
  csrf: string;
  nonce: string;
  path: string;
  notice?: Notice | undefined;
}

export interface Notice {
  kind: "ok" | "error";
  text: string;
}

const NAV: readonly [string, string][] = [
  ["", "Overview"],
  ["alerts", "Alerts"],
  ["decisions", "Decisions"],
  ["allowlist", "Allowlist"],
  ["scenarios", "Scenarios"],
  ["credentials", "Bouncers & machines"],
  ["metrics", "Metrics"],
  ["sessions", "Sessions"],
];

export function href(path: string, query?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return `${CONSOLE_BASE}/${path}${s ? `?${s}` : ""}`;
}

export function Shell(props: { title: string; nonce: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · Palisade`}</title>
        <style nonce={props.nonce}>{CONSOLE_CSS}</style>
      </head>
      <body>{props.children}</body>
    </html>
  );
}

export function Page(props: { ctx: PageCtx; title: string; children: Child }) {
  const { ctx } = props;
  const current = ctx.path.slice(CONSOLE_BASE.length + 1).split("/")[0] ?? "";
  return (
    <Shell title={props.title} nonce={ctx.nonce}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">Palisade</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map(([path, label]) => (
              <li>
                <a href={href(path)} aria-current={current === path ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <form method="post" action={href("logout")}>
          <Csrf ctx={ctx} />
          <span class="muted">{ctx.who} </span>
          <button type="submit" class="secondary">
            Log out
          </button>
        </form>
      </header>
      <main id="main">
        <h1>{props.title}</h1>
        {ctx.notice ? (
          <p
            class={`notice ${ctx.notice.kind}`}
            role={ctx.notice.kind === "error" ? "alert" : "status"}
          >
            {ctx.notice.text}
          </p>
        ) : null}
        {props.children}
      </main>
    </Shell>
  );
}

export function Csrf(props: { ctx: PageCtx }) {
  return <input type="hidden" name="_csrf" value={props.ctx.csrf} />;
}

/** A one-button form posting to `action` (lift, delete, revoke). */
export function ActionButton(props: {
  ctx: PageCtx;
  action: string;
  label: string;
  danger?: boolean;
  fields?: Record<string, string>;
  aria?: string;
}) {
  return (
    <form class="inline" method="post" action={props.action}>
      <Csrf ctx={props.ctx} />
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class={props.danger ? "danger" : "secondary"} aria-label={props.aria}>
        {props.label}
      </button>
    </form>
  );
}

/** `2026-12-04 17:05:09 UTC` */
export function when(isoText: string | null | undefined): string {
  if (!isoText) return "—";
  return `${isoText.slice(0, 10)} ${isoText.slice(11, 19)} UTC`;
}

export function TypeTag(props: { type: string }) {
  return <span class={`tag ${props.type}`}>{props.type}</span>;
}
