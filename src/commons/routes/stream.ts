import type { Hono } from "hono";
import { capiStreamQuerySchema } from "../../contract/capi";
import { CURSOR_HEADER } from "../../contract/lapi";
import { PalisadeHttpError } from "../../http/error";
import { memberAuth } from "../auth";
import { publisherOf, registryOf } from "../durable/stubs";
import type { CommonsEnv } from "../env";
import { granted, validate } from "../http";
import { addedDecisions, deletedDecisions } from "../list-reader";
import { streamBody } from "../publication/capi";

type App = Hono<{ Bindings: CommonsEnv; Variables: { member: string } }>;

/**
 * `GET /v2/decisions/stream`: what changed since this member's last pull (its cursor is
 * kept by the Registry), or the whole list on an engine's startup (`startup=true`) or a
 * first pull, with the deletions since its last pull. Palisade's `since=<seq>` reads
 * from a cursor the client keeps instead (answer: `seq`, `full`, and the
 * X-Palisade-Cursor header). Only enrolled members get the list.
 */
export function streamRoutes(app: App): void {
  app.get("/v2/decisions/stream", memberAuth, async (c) => {
    const q = validate(c.req.query(), capiStreamQuerySchema, "query", 400);
    const now = Date.now();
    const member = c.get("member");
    const session = granted(await registryOf(c.env).session(member, now));
    if (!session.enrolled)
      throw new PalisadeHttpError(
        403,
        "not_enrolled",
        `member ${member} is not enrolled: the community list is for enrolled members. Ask the commons operator for a key and run cscli console enroll KEY.`,
      );
    const clientCursor = q.since !== undefined;
    const since = clientCursor ? (q.since as number) : session.cursor;
    const full = !clientCursor && (q.startup === true || session.cursor === null);
    const answer = await publisherOf(c.env).pull(since, full);
    if (!clientCursor) await registryOf(c.env).setCursor(member, answer.version);
    const added = await addedDecisions(c.env, answer, now);
    const extra = clientCursor ? { seq: answer.version, full: answer.full } : {};
    const chunks = streamBody(added, deletedDecisions(answer), extra);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
    });
    return new Response(body, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Cache-Control": "no-store",
        [CURSOR_HEADER]: String(answer.version),
      },
    });
  });
}
