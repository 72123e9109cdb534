import type { NotifyMessage } from "../contract/notify";
import type { Channel } from "./config";

/**
 * The HTTP request of a notification, per channel type:
 * - `http` (CrowdSec's http plugin): `format` rendered over the alerts, sent with the
 *   channel's method and headers.
 * - `slack` (incoming webhook): `{"text": <format rendered>}`.
 * - `signed`: Palisade's JSON (`channel`, `id`, `created_at`, `suppressed`, `alerts`),
 *   with `X-Palisade-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 *   under the channel's `secret`, so a receiver can check origin and freshness.
 * Every request names its message (`X-Palisade-Notification`: receivers drop repeats)
 * and how many alerts the channel's limits left out (`X-Palisade-Suppressed`).
 */

export const SIGNATURE_HEADER = "X-Palisade-Signature";

export async function notificationRequest(
  c: Channel,
  msg: NotifyMessage,
  nowSeconds: number,
): Promise<Request> {
  const headers = new Headers({
    "User-Agent": "palisade-notify",
    "Content-Type": "application/json",
  });
  for (const [k, v] of Object.entries(c.headers)) headers.set(k, v);
  headers.set("X-Palisade-Notification", msg.id);
  headers.set("X-Palisade-Suppressed", String(msg.suppressed));
  let body: string;
  if (c.type === "signed") {
    body = JSON.stringify({
      channel: msg.channel,
      id: msg.id,
      created_at: msg.created_at,
      suppressed: msg.suppressed,
      alerts: msg.alerts,
    });
    headers.set(
      SIGNATURE_HEADER,
      `t=${nowSeconds},v1=${await hmacHex(c.secret ?? "", `${nowSeconds}.${body}`)}`,
    );
  } else {
    let text = c.template.render(msg.alerts);
    if (c.type === "slack") {
      if (msg.suppressed > 0)
        text += `\n…and ${msg.suppressed} more alerts held back by the channel's rate limit.`;
      body = JSON.stringify({ text });
    } else body = text;
  }
  const method = c.method;
  return new Request(c.url, method === "GET" ? { method, headers } : { method, headers, body });
}

export async function hmacHex(secret: string, data: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(data)));
  let hex = "";
  for (const b of sig) hex += b.toString(16).padStart(2, "0");
  return hex;
}
