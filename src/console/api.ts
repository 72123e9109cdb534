import type { z } from "zod";
import type { PalisadeApp } from "../http/routes";
import type { ConsoleContext } from "./session";

/**
 * The console's only way to Palisade's data: the admin API, called in-process through the
 * Worker's own app (no network hop, no second back end), every answer checked against the
 * API's zod contract. A refusal comes back as an ApiFailure the page shows as it is.
 */

const ADMIN = "/_palisade/v1/admin";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

export interface CallOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
}

export class ConsoleApi {
  constructor(
    private readonly app: PalisadeApp,
    private readonly c: ConsoleContext,
  ) {}

  get<S extends z.ZodType>(path: string, schema: S, query?: CallOptions["query"]) {
    return this.call("GET", path, schema, query === undefined ? {} : { query });
  }

  async call<S extends z.ZodType>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    schema: S,
    opts: CallOptions = {},
  ): Promise<z.output<S>> {
    const url = new URL(`${ADMIN}${path}`, this.c.req.url);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined && v !== "") url.searchParams.set(k, v);
    }
    const headers = new Headers({
      Authorization: `Bearer ${this.c.env.PALISADE_ADMIN_TOKEN ?? ""}`,
    });
    const ip = this.c.req.header("CF-Connecting-IP");
    if (ip) headers.set("CF-Connecting-IP", ip);
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(opts.body);
    }
    const req = new Request(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const res = await this.app.fetch(req, this.c.env, executionCtx(this.c));
    const text = await res.text();
    if (!res.ok) throw failure(res.status, text);
    return schema.parse(JSON.parse(text));
  }
}

function failure(status: number, text: string): ApiFailure {
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    return new ApiFailure(status, e?.code ?? `http_${status}`, e?.message ?? text);
  } catch {
    return new ApiFailure(status, `http_${status}`, text.slice(0, 200));
  }
}

function executionCtx(c: ConsoleContext): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
