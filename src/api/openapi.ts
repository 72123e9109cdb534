import { z } from "zod";
import { errorBodySchema } from "../contract/error";
import { ingestBatchSchema, ingestResponseSchema } from "../contract/ingest";
import type { RouteDef } from "./route";

/**
 * The OpenAPI 3.1 document of Palisade's HTTP surface, generated from the same zod
 * schemas the routes validate with (`z.toJSONSchema`, JSON Schema 2020-12, which
 * OpenAPI 3.1 uses as is). Request schemas are described as accepted (`io: "input"`),
 * response schemas as sent.
 */

export const OPENAPI_PATH = "/_palisade/v1/openapi.json";

/** Routes other modules register, documented here. */
export const documentedElsewhere: RouteDef[] = [
  {
    method: "POST",
    path: "/_palisade/v1/ingest",
    operationId: "ingest",
    summary: "A batch of raw log lines (JSON or NDJSON, optionally gzip)",
    tag: "ingest",
    auth: "machine",
    body: ingestBatchSchema,
    responses: {
      200: {
        description: "Counts (duplicate: true for a batch id already completed)",
        schema: ingestResponseSchema,
      },
      401: { description: "No machine token", schema: errorBodySchema },
      403: { description: "Unknown machine token", schema: errorBodySchema },
      413: { description: "Body too large", schema: errorBodySchema },
      415: { description: "Content type or encoding not accepted", schema: errorBodySchema },
      422: { description: "Schema error (names the path)", schema: errorBodySchema },
      503: { description: "Retry the batch", schema: errorBodySchema },
    },
  },
  {
    method: "GET",
    path: "/_palisade/v1/health",
    operationId: "health",
    summary: "Liveness",
    tag: "meta",
    auth: "none",
    responses: {
      200: { description: "Up", schema: z.object({ ok: z.boolean(), parsers: z.string() }) },
    },
  },
];

const SECURITY: Record<RouteDef["auth"], Record<string, string[]>[]> = {
  apiKey: [{ apiKey: [] }],
  jwt: [{ watcherJwt: [] }],
  admin: [{ adminToken: [] }],
  machine: [{ machineToken: [] }],
  none: [],
};

export function openApiDocument(routes: readonly RouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = r.path.replace(/:([A-Za-z_]+)/g, "{$1}");
    paths[p] ??= {};
    (paths[p] as Record<string, unknown>)[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Palisade",
      version: "1",
      description:
        "Palisade's API: CrowdSec LAPI-compatible bouncer and watcher endpoints (point a bouncer's api_url at https://<host>/_palisade/), the admin API, ingest.",
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "bouncers", description: "CrowdSec LAPI: decisions for bouncers (X-Api-Key)" },
      { name: "watchers", description: "CrowdSec LAPI: agents and cscli (JWT)" },
      { name: "admin", description: "Administration (Bearer PALISADE_ADMIN_TOKEN)" },
      { name: "ingest", description: "Log batches from shippers (Bearer machine token)" },
      { name: "meta", description: "Health and this document" },
    ],
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "X-Api-Key" },
        watcherJwt: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        adminToken: { type: "http", scheme: "bearer" },
        machineToken: { type: "http", scheme: "bearer" },
      },
    },
    paths,
  };
}

function operation(r: RouteDef): Record<string, unknown> {
  const op: Record<string, unknown> = {
    operationId: r.operationId,
    summary: r.summary,
    tags: [r.tag],
    security: SECURITY[r.auth],
    parameters: [...pathParams(r), ...queryParams(r.query)],
    responses: Object.fromEntries(
      Object.entries(r.responses).map(([status, res]) => [
        status,
        res.schema
          ? {
              description: res.description,
              content: { "application/json": { schema: jsonSchema(res.schema, "output") } },
            }
          : { description: res.description },
      ]),
    ),
  };
  if (r.description !== undefined) op.description = r.description;
  if (r.body) {
    op.requestBody = {
      required: true,
      content: { "application/json": { schema: jsonSchema(r.body, "input") } },
    };
  }
  return op;
}

function pathParams(r: RouteDef): Record<string, unknown>[] {
  return Object.entries(r.params ?? {}).map(([name, description]) => ({
    name,
    in: "path",
    required: true,
    description,
    schema: { type: "string" },
  }));
}

function queryParams(schema: z.ZodType | undefined): Record<string, unknown>[] {
  if (!schema) return [];
  const s = jsonSchema(schema, "input") as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: "query",
    required: s.required?.includes(name) ?? false,
    schema: prop,
  }));
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" });
  const { $schema: _, ...rest } = out as Record<string, unknown>;
  return rest;
}
