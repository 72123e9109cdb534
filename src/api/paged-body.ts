import type { Page, PullStart } from "../durable/ledger/index";

/**
 * Renders a pull (durable/ledger/stream.ts) as JSON: each part is `null` when empty (CrowdSec
 * sends `null`, not `[]`) or an array of its pages. Pages arrive from the Ledger as UTF-8
 * bytes, so the Worker only copies them. A pull that fits in its first pages (every
 * incremental poll, small startups) is one Blob; a longer one streams, asking the Ledger
 * for one page at a time, so a 100k-decision startup never crosses one RPC whole or sits
 * whole in the Worker's memory.
 */

export type FetchPage = (part: number, after: number, last: boolean) => Promise<Page>;

type Chunk = string | Uint8Array;
const encoder = new TextEncoder();

/**
 * `frame[i]` goes before part i, `frame[parts]` after the last one: for the stream
 * `['{"new":', ',"deleted":', "}"]`, for a bare list `["", ""]`.
 */
export function pagedBody(start: PullStart, frame: readonly string[], more: FetchPage): BodyInit {
  const pending = start.pages.flatMap((p, i) => (p !== null && p.next !== null ? [i] : []));
  if (pending.length === 0) {
    const parts: Chunk[] = [];
    start.pages.forEach((p, i) => {
      parts.push(frame[i] ?? "", ...partOf(p));
    });
    parts.push(frame[start.pages.length] ?? "");
    return new Blob(parts);
  }
  const it = chunks(start, frame, more, pending[pending.length - 1] as number);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === "string" ? encoder.encode(value) : value);
      } catch (e) {
        // Headers are gone: a truncated body is all the bouncer can be told; it retries.
        console.error(`palisade.api.stream_failed: ${e instanceof Error ? e.message : String(e)}`);
        controller.error(e);
      }
    },
  });
}

function partOf(p: Page | null): Chunk[] {
  return p === null || p.count === 0 ? ["null"] : ["[", p.json, "]"];
}

async function* chunks(
  start: PullStart,
  frame: readonly string[],
  more: FetchPage,
  lastPending: number,
): AsyncGenerator<Chunk> {
  for (let i = 0; i < start.pages.length; i++) {
    const first = start.pages[i] ?? null;
    if (first === null || first.next === null) {
      yield `${frame[i] ?? ""}${first === null || first.count === 0 ? "null" : "["}`;
      if (first !== null && first.count > 0) {
        yield first.json;
        yield "]";
      }
      continue;
    }
    yield `${frame[i] ?? ""}[`;
    yield first.json;
    let next: number | null = first.next;
    while (next !== null) {
      const page = await more(i, next, i === lastPending);
      if (page.count > 0) {
        yield ",";
        yield page.json;
      }
      next = page.next;
    }
    yield "]";
  }
  const end = frame[start.pages.length];
  if (end) yield end;
}
