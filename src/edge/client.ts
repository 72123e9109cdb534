/**
 * Who is asking. The address is `CF-Connecting-IP` only: Cloudflare sets it from the TCP
 * connection and overwrites any client-supplied value, while `X-Forwarded-For` is
 * whatever the client wrote. Country and ASN come from `request.cf`.
 */

export interface Client {
  /** The header's text as sent (parsed by the lookup; absent or empty: undefined). */
  ip: string | undefined;
  country: string | undefined;
  asn: number | undefined;
}

/** The visitor; country and ASN only when `geo` (no Country/AS decision: `request.cf` is not read). */
export function clientOf(request: Request, geo = true): Client {
  const ip = request.headers.get("CF-Connecting-IP") ?? undefined;
  const cf = geo ? request.cf : undefined;
  return {
    ip: ip === "" ? undefined : ip,
    country: typeof cf?.country === "string" ? cf.country : undefined,
    asn: typeof cf?.asn === "number" ? cf.asn : undefined,
  };
}

/**
 * Whether the client prefers JSON to HTML by its `Accept` header (q-values honoured).
 * A browser, curl's `*\/*` or no header at all gets HTML.
 */
export function wantsJson(accept: string | null): boolean {
  if (!accept) return false;
  let json = 0;
  let html = 0;
  for (const part of accept.split(",")) {
    const [type = "", ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) || 0 : 1;
    const t = type.trim();
    if (t === "application/json" || t.endsWith("+json")) json = Math.max(json, q);
    else if (t === "text/html") html = Math.max(html, q);
  }
  return json > html;
}
