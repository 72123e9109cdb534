import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { VarOverrides } from "../../src/config";
import {
  decision,
  edgeApp as makeEdge,
  ORIGIN,
  probeKv,
  seed,
  stubNetwork,
  visit,
} from "./edge-support";

const BANNED = "203.0.113.10";
const CLEAN = "198.51.100.20";

let net: ReturnType<typeof stubNetwork>;
beforeEach(() => {
  net = stubNetwork();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(["worker", "hono"] as const)("origin (%s)", (build) => {
  const edgeApp = (kv: KVNamespace, vars: VarOverrides = {}) => makeEdge(kv, vars, {}, build);
  it("passes a clean visitor's request and the origin's answer through untouched", async () => {
    await seed(env.BLOCKLIST, 1, [decision("ban", "Ip", BANNED)]);
    const app = edgeApp(probeKv().kv, { ORIGIN_URL: `${ORIGIN}/base/` });
    const res = await visit(app, "/api/items?x=1&y=%20", {
      ip: CLEAN,
      method: "PATCH",
      body: "payload \u00e9",
      headers: {
        "Content-Type": "text/plain",
        Cookie: "session=s1",
        "X-Forwarded-For": "192.0.2.99",
        "X-Custom": "kept",
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("X-Origin")).toBe("yes");
    expect(res.headers.get("Set-Cookie")).toBe("sid=abc; Path=/");
    const call = net.origin[0];
    expect(call?.url).toBe(`${ORIGIN}/base/api/items?x=1&y=%20`);
    expect(call?.method).toBe("PATCH");
    expect(call?.body).toBe("payload \u00e9");
    expect(call?.headers.get("Cookie")).toBe("session=s1");
    expect(call?.headers.get("X-Forwarded-For")).toBe("192.0.2.99");
    expect(call?.headers.get("X-Custom")).toBe("kept");
    expect(call?.headers.get("CF-Connecting-IP")).toBe(CLEAN);
  });

  it("does not follow the origin's redirects", async () => {
    await seed(env.BLOCKLIST, 1, []);
    const res = await visit(edgeApp(probeKv().kv), "/moved", { ip: CLEAN });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("https://origin.test/elsewhere");
    expect(net.origin[0]?.redirect).toBe("manual");
  });

  it("without ORIGIN_URL, fetches the request's own URL", async () => {
    await seed(env.BLOCKLIST, 1, []);
    const app = edgeApp(probeKv().kv, { ORIGIN_URL: undefined });
    await visit(app, "/page?q=1", { ip: CLEAN, url: "https://shop.example.net" });
    expect(net.origin[0]?.url).toBe("https://shop.example.net/page?q=1");
  });

  it("streams bodies both ways", async () => {
    await seed(env.BLOCKLIST, 1, []);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    net.spy.mockImplementation(async (input, init) => {
      const req = new Request(input, init);
      const upload = await req.text();
      const enc = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(enc.encode(`got:${upload};first;`));
          await gate;
          controller.enqueue(enc.encode("second"));
          controller.close();
        },
      });
      return new Response(body, { status: 200 });
    });
    const chunks = ["a", "b", "c"];
    const upload = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const app = edgeApp(probeKv().kv);
    const res = await app.fetch(
      new Request("https://example.com/stream", {
        method: "POST",
        body: upload,
        headers: { "CF-Connecting-IP": CLEAN },
      }),
      env,
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    // The first chunk arrives while the origin is still holding the rest back: not buffered.
    expect(dec.decode((await reader.read()).value)).toBe("got:abc;first;");
    release();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += dec.decode(r.value);
    expect(rest).toBe("second");
  });

  it("answers 502 when the origin cannot be reached", async () => {
    await seed(env.BLOCKLIST, 1, []);
    net.spy.mockRejectedValue(new Error("connection refused"));
    const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await visit(edgeApp(probeKv().kv), "/", { ip: CLEAN, accept: "application/json" });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: "origin_unreachable" } });
    expect(err).toHaveBeenCalledWith("palisade.origin.unreachable", expect.anything());
  });
});
