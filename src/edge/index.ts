import { parserFor } from "../core/parser/index";
import type { Env } from "../env";

export { Ledger } from "../durable/ledger";
export { SourceTracker } from "../durable/source-tracker";
export type { Env } from "../env";

// The edge (ingest, Durable Objects, enforcement) is being built (issue 4); until it lands
// the Worker answers its health route and proves the core runs in workerd.
export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/_palisade/v1/health") {
      return Response.json({ ok: true, parsers: parserFor("nginx") ? "loaded" : "missing" });
    }
    return new Response("Palisade: edge not built yet\n", { status: 501 });
  },
} satisfies ExportedHandler<Env>;
