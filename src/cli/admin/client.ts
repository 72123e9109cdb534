import type { z } from "zod";
import { errorBodySchema } from "../../contract/error";
import { failWith } from "../errors";
import type { Connection } from "./connection";
import { apiFailure, type FailureContext, foreign, message, unreachable } from "./failure";

/** One admin API call, described well enough to explain its failure. */
export interface Call {
  /** What the command is doing, for messages: "add the decision". */
  action: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Under the API's prefix (`/_palisade/v1/admin`): `/decisions`, `/alerts/7`. */
  path: string;
  query?: Readonly<Record<string, string | undefined>>;
  body?: unknown;
  /** A text/plain body instead of JSON. */
  text?: string;
  flags?: FailureContext["flags"];
  fixes?: FailureContext["fixes"];
}

const TIMEOUT_MS = 30_000;

/** Which admin API a client speaks: where it lives and which secret is its token. */
export interface AdminApi {
  prefix: string;
  /** The Worker secret the token must equal, for error messages. */
  secret: string;
}

export const PALISADE_ADMIN_API: AdminApi = {
  prefix: "/_palisade/v1/admin",
  secret: "PALISADE_ADMIN_TOKEN",
};

/**
 * The admin API over Node's fetch. Every failure becomes a UserError whose message says
 * what happened, why and how to fix it; a 2xx answer is checked against the contract's
 * schema, so a Worker of another version fails loudly instead of printing nonsense.
 */
export class AdminClient {
  constructor(
    readonly conn: Connection,
    private readonly fetchImpl: typeof fetch = fetch,
    readonly api: AdminApi = PALISADE_ADMIN_API,
  ) {}

  async call<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
    const ctx: FailureContext = {
      conn: this.conn,
      action: call.action,
      flags: call.flags,
      fixes: call.fixes,
      secret: this.api.secret,
    };
    const { status, type, body } = await this.send(call, ctx);
    if (status < 200 || status > 299) {
      const err = errorBodySchema.safeParse(body);
      if (!err.success) failWith(foreign(ctx, status, type));
      failWith(apiFailure(ctx, { status, ...err.data.error }));
    }
    if (body === undefined) failWith(foreign(ctx, status, type));
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      failWith(
        message(
          `cannot ${call.action}: the Worker's answer is not what this CLI expects (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}).`,
          "the Worker and this CLI come from different versions of Palisade.",
          "deploy the Worker from the same version as this CLI (npx wrangler deploy), or use the matching CLI.",
        ),
      );
    }
    return parsed.data;
  }

  /** The answer's status, content type and JSON body (undefined when not JSON). */
  private async send(
    call: Call,
    ctx: FailureContext,
  ): Promise<{ status: number; type: string; body: unknown }> {
    try {
      const res = await this.fetchImpl(this.url(call), this.init(call));
      const text = await res.text();
      const type = res.headers.get("content-type") ?? "";
      return {
        status: res.status,
        type,
        body: type.includes("json") ? parseJson(text) : undefined,
      };
    } catch (e) {
      // Refused, reset, timed out: before or while the answer came.
      return failWith(unreachable(ctx, e));
    }
  }

  private url(call: Call): string {
    const u = new URL(`${this.conn.base}${this.api.prefix}${call.path}`);
    for (const [k, v] of Object.entries(call.query ?? {})) {
      if (v !== undefined) u.searchParams.set(k, v);
    }
    return u.href;
  }

  private init(call: Call): RequestInit {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.conn.token}`,
      accept: "application/json",
      "user-agent": "palisade-cli",
    };
    const init: RequestInit = {
      method: call.method,
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    };
    if (call.text !== undefined) {
      headers["content-type"] = "text/plain; charset=utf-8";
      init.body = call.text;
    } else if (call.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(call.body);
    }
    return init;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
