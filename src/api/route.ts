import type { z } from "zod";
import type { ApiContext } from "./input";

/**
 * One route of Palisade's API: what the Worker registers and what the OpenAPI document
 * (`/_palisade/v1/openapi.json`) describes, from the same zod schemas, so the two cannot
 * drift apart. A `HEAD` entry documents what the `GET` handler answers without a body.
 */
export interface RouteDef {
  method: "GET" | "HEAD" | "POST" | "DELETE";
  /** Hono path: `/_palisade/v1/admin/decisions/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: "bouncers" | "watchers" | "admin" | "ingest" | "meta";
  /** `apiKey`: X-Api-Key; `jwt`: watcher Bearer JWT; `admin`: Bearer PALISADE_ADMIN_TOKEN; `machine`: Bearer machine token. */
  auth: "apiKey" | "jwt" | "admin" | "machine" | "none";
  query?: z.ZodType;
  body?: z.ZodType;
  /** Path parameters and what they are. */
  params?: Record<string, string>;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Absent for documentation-only entries (HEAD, routes another module registers). */
  handler?: (c: ApiContext) => Response | Promise<Response>;
}
