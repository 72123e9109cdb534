import type { Hono } from "hono";
import { commonsStatusSchema, enrollmentKeyRequestSchema } from "../../contract/capi-commons";
import { PalisadeHttpError } from "../../http/error";
import { adminAuth } from "../auth";
import { commonsConfig } from "../config";
import { explainOf } from "../consensus/reputation";
import { publisherOf, registryOf } from "../durable/stubs";
import type { CommonsEnv } from "../env";
import { everyShard } from "../fanout";
import { json, readJson } from "../http";
import { factsOf } from "../lookup";
import { certifiedVersionCount } from "../policy/certified";
import { safeListAt } from "../safelist-cache";

type App = Hono<{ Bindings: CommonsEnv; Variables: { member: string } }>;

/** The operator's API (Bearer COMMONS_ADMIN_TOKEN): keys, members, explanations, status. */
export function adminMemberRoutes(app: App): void {
  app.use("/v1/admin/*", adminAuth);

  app.post("/v1/admin/enrollment-keys", async (c) => {
    const req = await readJson(c, enrollmentKeyRequestSchema, 422);
    return json(await registryOf(c.env).createKey(req, Date.now()), 201);
  });

  app.get("/v1/admin/members", async (c) => {
    const members = await registryOf(c.env).members(Date.now());
    return json({ members, total: members.length });
  });

  app.get("/v1/admin/members/:id", async (c) => {
    const m = await registryOf(c.env).member(c.req.param("id"), Date.now());
    if (!m) throw noMember(c.req.param("id"));
    return json(m);
  });

  app.delete("/v1/admin/members/:id", async (c) => {
    const id = c.req.param("id");
    const now = Date.now();
    if (!(await registryOf(c.env).revoke(id, now))) throw noMember(id);
    const forgotten = await everyShard(c.env, (s, i) => s.forget(i, id, now));
    return json({
      machine_id: id,
      revoked: true,
      keys_forgotten: forgotten.reduce((a, b) => a + b, 0),
    });
  });

  app.get("/v1/admin/explain/:ip", async (c) => {
    const f = await factsOf(c.env, c.req.param("ip"), await registryOf(c.env).safeListVersion());
    const names = await registryOf(c.env).names([...new Set(f.rows.map((r) => r.member))]);
    const params = commonsConfig(c.env).consensus;
    return json(
      explainOf(
        f.ip,
        f.key,
        f.rows,
        f.listing,
        Date.now(),
        params,
        f.policy,
        new Map(Object.entries(names)),
      ),
    );
  });

  app.get("/v1/admin/status", async (c) => {
    const [p, counts, safe] = await Promise.all([
      publisherOf(c.env).status(),
      registryOf(c.env).counts(),
      registryOf(c.env)
        .safeListVersion()
        .then((v) => safeListAt(c.env, v)),
    ]);
    return json(
      commonsStatusSchema.parse({
        version: p.version,
        listed: p.listed,
        published_at: p.publishedAt === null ? null : new Date(p.publishedAt).toISOString(),
        base: p.base
          ? { version: p.base.version, entries: p.base.entries, bytes: p.base.bytes, ms: p.base.ms }
          : null,
        members: counts.members,
        enrolled: counts.enrolled,
        shards: commonsConfig(c.env).shards,
        certified_versions: certifiedVersionCount(),
        safe_entries: safe.size,
      }),
    );
  });
}

function noMember(id: string): PalisadeHttpError {
  return new PalisadeHttpError(
    404,
    "member_not_found",
    `no member ${JSON.stringify(id)}. List them with npx palisade commons members list.`,
    { path: "params.id" },
  );
}
