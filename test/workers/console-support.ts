import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as workerEnv } from "cloudflare:workers";
import { expect } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/worker";
import { ADMIN_TOKEN } from "./api-support";

export const CONSOLE = "https://example.com/_palisade/console";

/** A browser of the console: keeps its cookies, sends what a form would. */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly base = CONSOLE,
    private readonly env: Env = workerEnv as Env,
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const url = path.startsWith("http") ? path : `${this.base}${path}`;
    const ctx = createExecutionContext();
    const req = new Request(url, { ...init, headers, redirect: "manual" });
    const res = await worker.fetch(
      req as Request<unknown, IncomingRequestCfProperties>,
      this.env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    for (const line of setCookies(res)) {
      const [pair] = line.split(";");
      const eq = (pair ?? "").indexOf("=");
      const name = (pair ?? "").slice(0, eq);
      const value = (pair ?? "").slice(eq + 1);
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  /** A form post (urlencoded), from this console's origin. */
  post(
    path: string,
    fields: Record<string, string | string[]>,
    origin?: string,
  ): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
    return this.request(path, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: origin ?? new URL(this.base).origin,
      },
    });
  }

  /** The login form, then the admin token: a session. */
  async login(token = ADMIN_TOKEN): Promise<Response> {
    const form = await (await this.get("/login")).text();
    const res = await this.post("/login", { _login: hidden(form, "_login"), token, next: "" });
    return res;
  }

  /** A page's CSRF token (from its forms). */
  async csrf(path = "/"): Promise<string> {
    const res = await this.get(path);
    expect(res.status).toBe(200);
    return hidden(await res.text(), "_csrf");
  }
}

export function hidden(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${name} field in the page`);
  return m[1] as string;
}

/** The response's Set-Cookie lines (workerd has `getSetCookie`; its types do not yet). */
export function setCookies(res: Response): string[] {
  return (res.headers as unknown as { getSetCookie(): string[] }).getSetCookie();
}
