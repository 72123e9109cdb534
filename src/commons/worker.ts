import { createCommonsApp } from "./app";
import type { CommonsEnv } from "./env";

export { Publisher } from "./durable/publisher";
export { Registry } from "./durable/registry";
/**
 * The commons Worker (wrangler.commons.toml): CrowdSec's Central API and the commons'
 * own API over three kinds of Durable Objects (Registry, AddressShard, Publisher).
 */
export { AddressShard } from "./durable/shard";

const app = createCommonsApp();

export default {
  fetch(request: Request, env: CommonsEnv, ctx: ExecutionContext): Response | Promise<Response> {
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<CommonsEnv>;
