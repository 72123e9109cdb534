import type { z } from "zod";
import {
  type CapiCursorStream,
  capiCursorStreamSchema,
  capiLoginAnswerSchema,
  capiMessageSchema,
} from "../../contract/capi";
import { type Reputation, reputationSchema } from "../../contract/capi-commons";
import type { CapiSignal } from "../../contract/capi-signal";

/**
 * The member's side of CrowdSec's Central API, as the commons serves it (src/commons):
 * register, login, enroll, signals, the cursor stream and the reputation lookup. Bodies
 * are the contract's CAPI shapes; answers are checked against them.
 */

/** The commons refused, or could not be reached: `status` 0 for a network failure. */
export class CommonsCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const USER_AGENT = "palisade-member/1";
const CALL_TIMEOUT_MS = 15_000;
/** A JWT is renewed this long before it expires (the commons issues them for 24 h). */
const TOKEN_MARGIN_MS = 10 * 60_000;

export interface Credentials {
  url: string;
  machine_id: string;
  password: string;
}

export class CapiClient {
  constructor(
    private readonly creds: Credentials,
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  async register(): Promise<void> {
    await this.call("POST", "/v2/watchers", null, {
      machine_id: this.creds.machine_id,
      password: this.creds.password,
    });
  }

  /** A fresh JWT and when it should be renewed. */
  async login(): Promise<{ token: string; until: number }> {
    const text = await this.call("POST", "/v2/watchers/login", null, {
      machine_id: this.creds.machine_id,
      password: this.creds.password,
      scenarios: [],
    });
    const ans = parse(capiLoginAnswerSchema, text, "login");
    return { token: ans.token, until: Date.parse(ans.expire) - TOKEN_MARGIN_MS };
  }

  async enroll(token: string, key: string, name: string): Promise<void> {
    await this.call("POST", "/v2/watchers/enroll", token, {
      attachment_key: key,
      name,
      tags: [],
      overwrite: false,
    });
  }

  async signals(token: string, batch: readonly CapiSignal[]): Promise<void> {
    await this.call("POST", "/v2/signals", token, batch);
  }

  async stream(token: string, since: number): Promise<CapiCursorStream> {
    const text = await this.call("GET", `/v2/decisions/stream?since=${since}`, token);
    return parse(capiCursorStreamSchema, text, "decisions stream");
  }

  async reputation(token: string, ip: string): Promise<Reputation> {
    const text = await this.call("GET", `/v1/ip/${encodeURIComponent(ip)}`, token);
    return parse(reputationSchema, text, "reputation");
  }

  private async call(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
  ): Promise<string> {
    const headers: Record<string, string> = { "User-Agent": USER_AGENT };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const url = `${this.creds.url.replace(/\/+$/, "")}${path}`;
    let res: Response;
    try {
      res = await this.fetcher(url, {
        method,
        headers,
        // The Ledger's alarm waits for this call before it flushes KV: never for long.
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (e) {
      throw new CommonsCallError(0, `${method} ${url}: the commons cannot be reached (${e})`);
    }
    const text = await res.text();
    if (res.status >= 300) {
      const said = capiMessageSchema.safeParse(safeJson(text));
      const why = said.success ? said.data.message : text.slice(0, 200);
      throw new CommonsCallError(res.status, `${method} ${path}: ${res.status} ${why}`);
    }
    return text;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parse<T>(schema: z.ZodType<T>, text: string, what: string): T {
  const out = schema.safeParse(safeJson(text));
  if (!out.success) {
    throw new CommonsCallError(
      502,
      `the commons' ${what} answer is not CAPI's: ${out.error.message}`,
    );
  }
  return out.data;
}
