import type { Hono } from "hono";
import { PalisadeHttpError } from "../../http/error";
import { callerOf } from "../auth";
import { commonsConfig } from "../config";
import { reputationOf } from "../consensus/reputation";
import { registryOf } from "../durable/stubs";
import type { CommonsEnv } from "../env";
import { granted, json } from "../http";
import { factsOf } from "../lookup";

type App = Hono<{ Bindings: CommonsEnv; Variables: { member: string } }>;

/**
 * `GET /v1/ip/{ip}` (Palisade-native): an address's standing in the commons, for
 * enrolled members (their JWT) and the operator (admin token).
 */
export function reputationRoutes(app: App): void {
  app.get("/v1/ip/:ip", async (c) => {
    const now = Date.now();
    const caller = await callerOf(c.req.header("Authorization"), c.env);
    let safeVersion = caller.admin ? await registryOf(c.env).safeListVersion() : undefined;
    if (!caller.admin) {
      const session = await registryOf(c.env).session(caller.member, now);
      safeVersion = session.safeVersion;
      if (!granted(session).enrolled)
        throw new PalisadeHttpError(
          403,
          "not_enrolled",
          `member ${caller.member} is not enrolled: reputation lookups are for enrolled members.`,
        );
    }
    const f = await factsOf(c.env, c.req.param("ip"), safeVersion);
    const params = commonsConfig(c.env).consensus;
    return json(reputationOf(f.ip, f.key, f.rows, f.listing, now, params, f.policy));
  });
}
