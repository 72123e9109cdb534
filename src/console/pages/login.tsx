/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { href, type Notice, Shell } from "../layout";

export function LoginPage(props: {
  nonce: string;
  token: string;
  next: string;
  access: boolean;
  tokenLogin: boolean;
  notice?: Notice | undefined;
}) {
  return (
    <Shell title="Log in" nonce={props.nonce}>
      <main class="login card" id="main">
        <h1>Palisade console</h1>
        {props.notice ? (
          <p class={`notice ${props.notice.kind}`} role="alert">
            {props.notice.text}
          </p>
        ) : null}
        {props.access ? (
          <p>This console is behind Cloudflare Access: open it through your Access login.</p>
        ) : null}
        {props.tokenLogin ? (
          <form method="post" action={href("login")}>
            <input type="hidden" name="_login" value={props.token} />
            <input type="hidden" name="next" value={props.next} />
            <p>
              <label>
                Admin token (PALISADE_ADMIN_TOKEN)
                <input
                  type="password"
                  name="token"
                  autocomplete="current-password"
                  required
                  autofocus
                />
              </label>
            </p>
            <button type="submit">Log in</button>
          </form>
        ) : null}
      </main>
    </Shell>
  );
}
