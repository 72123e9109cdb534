import type { Hono } from "hono";
import { safeAddSchema } from "../../contract/capi-commons";
import { normalizeCidr } from "../../core/ip";
import { PalisadeHttpError } from "../../http/error";
import { registryOf } from "../durable/stubs";
import type { CommonsEnv } from "../env";
import { everyShard } from "../fanout";
import { json, readJson, readText } from "../http";
import { sourceEntries } from "../policy/safelist";
import { safeListAt } from "../safelist-cache";

type App = Hono<{ Bindings: CommonsEnv; Variables: { member: string } }>;

/**
 * The safe list (admin): list, add, remove, and replace a whole published source (when
 * Cloudflare, a crawler or a CDN publishes new ranges). An addition withdraws at once
 * every listing it covers, in every shard.
 */
export function adminSafeListRoutes(app: App): void {
  app.get("/v1/admin/safelist", async (c) => {
    const state = await registryOf(c.env).safeList();
    const entries = (await safeListAt(c.env, state.version)).entries();
    return json({ entries, total: entries.length, version: state.version });
  });

  app.post("/v1/admin/safelist", async (c) => {
    const body = await readJson(c, safeAddSchema, 422);
    const cidr = cidrOf(body.cidr, "body.cidr");
    const now = Date.now();
    const version = await registryOf(c.env).addSafe(cidr, body.reason, now);
    const delisted = await exclude(
      c.env,
      [cidr],
      `safe list: ${cidr} (operator: ${body.reason})`,
      now,
    );
    return json({ version, delisted }, 201);
  });

  app.delete("/v1/admin/safelist/:cidr{.+}", async (c) => {
    const cidr = cidrOf(c.req.param("cidr"), "params.cidr");
    const current = await safeListAt(c.env, await registryOf(c.env).safeListVersion());
    const listed = current.entries().some((e) => e.cidr === cidr);
    if (!listed)
      throw new PalisadeHttpError(
        404,
        "not_safe_listed",
        `${cidr} is not an entry of the safe list (an address inside an entry cannot be removed alone). See npx palisade commons safelist list.`,
        { path: "params.cidr" },
      );
    return json({ version: await registryOf(c.env).removeSafe(cidr, Date.now()), delisted: 0 });
  });

  app.put("/v1/admin/safelist/sources/:name{.+}", async (c) => {
    const name = c.req.param("name");
    if (!/^[A-Za-z0-9_./-]{1,100}$/.test(name))
      throw new PalisadeHttpError(
        422,
        "invalid_source",
        `source name ${JSON.stringify(name)} must be 1-100 of A-Z a-z 0-9 _ . / -.`,
        {
          path: "params.name",
        },
      );
    const body = await readText(c);
    const { cidrs, rejected } = sourceEntries(body);
    if (rejected.length > 0)
      throw new PalisadeHttpError(
        422,
        "invalid_source_line",
        `${rejected.length} line(s) are not an IP or CIDR, e.g. ${JSON.stringify(rejected[0])}. Send one address or network per line (# comments allowed); nothing was changed.`,
        { path: "body" },
      );
    const now = Date.now();
    const version = await registryOf(c.env).putSafeSource(name, body, now);
    const delisted = cidrs.length > 0 ? await exclude(c.env, cidrs, `safe list: ${name}`, now) : 0;
    return json({ source: name, entries: cidrs.length, version, delisted });
  });
}

function cidrOf(raw: string, path: string): string {
  const cidr = normalizeCidr(decodeURIComponent(raw));
  if (!cidr)
    throw new PalisadeHttpError(
      422,
      "invalid_cidr",
      `${JSON.stringify(raw)} is not an IP or a CIDR network (like 104.16.0.0/13 or 2400:cb00::/32).`,
      { path },
    );
  return cidr;
}

async function exclude(
  env: CommonsEnv,
  cidrs: string[],
  why: string,
  now: number,
): Promise<number> {
  const n = await everyShard(env, (s, i) => s.exclude(i, cidrs, why, now));
  return n.reduce((a, b) => a + b, 0);
}
