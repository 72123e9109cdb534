/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { ApiFailure } from "./api";
import { stateOf } from "./context";
import { Shell } from "./layout";
import { CONSOLE_BASE, type ConsoleContext } from "./session";

/** A bare message page (errors, refusals). */
export function page(
  c: ConsoleContext,
  status: 401 | 403 | 404 | 409 | 422 | 500 | 502 | 503,
  title: string,
  text: string,
) {
  return c.html(
    <Shell title={title} nonce={stateOf(c).nonce}>
      <main class="login card" id="main">
        <h1>{title}</h1>
        <p role="alert">{text}</p>
        <p>
          <a href={`${CONSOLE_BASE}/`}>Back to the console</a>
        </p>
      </main>
    </Shell>,
    status,
  );
}

/** An admin API refusal as a page saying what and why. */
export function failurePage(c: ConsoleContext, what: string, e: unknown) {
  if (!(e instanceof ApiFailure)) throw e;
  const status = ([401, 403, 404, 409, 422, 503] as const).find((s) => s === e.status) ?? 502;
  return page(c, status, `Could not ${what}`, `${e.message} (${e.code})`);
}
