import type { Handler, Hono } from "hono";
import {
  capiEnrollSchema,
  capiLoginSchema,
  capiMetricsSchema,
  capiRegisterSchema,
} from "../../contract/capi";
import { issueToken, memberAuth } from "../auth";
import { commonsConfig } from "../config";
import { registryOf } from "../durable/stubs";
import type { CommonsEnv } from "../env";
import { granted, json, readJson } from "../http";

type Env = { Bindings: CommonsEnv; Variables: { member: string } };
type App = Hono<Env>;

/**
 * Registration, login, enrollment and metrics, as `cscli capi register`, `cscli console
 * enroll` and a running 1.4.6 engine call them (../shared/peers/crowdsec-capi-1.4.6.md).
 */
export function watcherRoutes(app: App): void {
  app.post("/v2/watchers", async (c) => {
    const body = await readJson(c, capiRegisterSchema, 400);
    granted(await registryOf(c.env).register(body.machine_id, body.password, Date.now()));
    return new Response(null, { status: 201 });
  });

  app.post("/v2/watchers/login", async (c) => {
    const body = await readJson(c, capiLoginSchema, 400);
    const now = Date.now();
    const scenarios = body.scenarios?.length ?? 0;
    granted(await registryOf(c.env).login(body.machine_id, body.password, scenarios, now));
    const { token, expire } = await issueToken(
      c.env,
      body.machine_id,
      now,
      commonsConfig(c.env).tokenTtlMs,
    );
    return json({ code: 200, expire, token });
  });

  app.post("/v2/watchers/enroll", memberAuth, async (c) => {
    const body = await readJson(c, capiEnrollSchema, 400);
    const out = granted(
      await registryOf(c.env).enroll(
        {
          id: c.get("member"),
          key: body.attachment_key,
          name: body.name ?? "",
          tags: body.tags ?? [],
          overwrite: body.overwrite === true,
        },
        Date.now(),
      ),
    );
    return out === "enrolled"
      ? json({ message: "OK" }, 202)
      : json({ message: "this machine is already enrolled (use --overwrite to enroll it again)" });
  });

  const metrics: Handler<Env> = async (c) => {
    const body = await readJson(c, capiMetricsSchema, 400);
    const now = Date.now();
    const registry = registryOf(c.env);
    granted(await registry.session(c.get("member"), now));
    await registry.metrics(c.get("member"), body.apil_version ?? "", now);
    return json({ message: "OK" });
  };
  app.post("/v2/metrics/", memberAuth, metrics);
  app.post("/v2/metrics", memberAuth, metrics);
}
