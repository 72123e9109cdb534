import { vi } from "vitest";
import type { CapiStreamDecision } from "../../src/contract/capi";

/**
 * An in-memory commons speaking CAPI as src/commons does (register, login, enroll,
 * signals, the `since=` stream, the reputation lookup), behind a stubbed `fetch`: the
 * Ledger's calls reach it, everything else is answered 599. `loseAnswers` makes the next
 * signals requests reach the commons and then fail on the way back (a crash between send
 * and acknowledgement, from the member's side).
 */

export const COMMONS = "https://commons.test";
export const GOOD_KEY = "enroll-key-0123456789";

export interface FakeCommons {
  /** Every signal received, in order (duplicates included). */
  signals: { uuid: string; scenario: string; scenario_hash: string; source: { value: string } }[];
  /** The list's history: version n's changes at index n - 1. */
  versions: { new: CapiStreamDecision[]; deleted: CapiStreamDecision[] }[];
  streamCalls: number;
  loseAnswers: number;
  /** The next signals requests are refused with 400, as a malformed batch. */
  refuseNext: number;
  enrolled: Set<string>;
  list(ip: string, scenario?: string): void;
  delist(ip: string): void;
}

export function ban(ip: string, scenario = "crowdsecurity/ssh-bf"): CapiStreamDecision {
  return { duration: "47h59m0s", origin: "CAPI", scenario, scope: "Ip", type: "ban", value: ip };
}

export function fakeCommons(): FakeCommons {
  const passwords = new Map<string, string>();
  const tokens = new Map<string, string>();
  const c: FakeCommons = {
    signals: [],
    versions: [],
    streamCalls: 0,
    loseAnswers: 0,
    refuseNext: 0,
    enrolled: new Set(),
    list: (ip, scenario) => c.versions.push({ new: [ban(ip, scenario)], deleted: [] }),
    delist: (ip) => c.versions.push({ new: [], deleted: [ban(ip)] }),
  };
  const who = (req: Request) => tokens.get(req.headers.get("Authorization")?.slice(7) ?? "");
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.origin !== COMMONS) return new Response("not stubbed", { status: 599 });
    const path = url.pathname;
    if (req.method === "POST" && path === "/v2/watchers") {
      const b = (await req.json()) as { machine_id: string; password: string };
      passwords.set(b.machine_id, b.password);
      return new Response(null, { status: 201 });
    }
    if (req.method === "POST" && path === "/v2/watchers/login") {
      const b = (await req.json()) as { machine_id: string; password: string };
      if (passwords.get(b.machine_id) !== b.password)
        return Response.json({ message: "bad credentials" }, { status: 401 });
      const token = crypto.randomUUID();
      tokens.set(token, b.machine_id);
      const expire = new Date(Date.now() + 86_400_000).toISOString();
      return Response.json({ code: 200, expire, token });
    }
    const member = who(req);
    if (!member) return Response.json({ message: "no token" }, { status: 401 });
    if (path === "/v2/watchers/enroll") {
      const b = (await req.json()) as { attachment_key: string };
      if (b.attachment_key !== GOOD_KEY)
        return Response.json({ message: "invalid enrollment key: unknown" }, { status: 403 });
      c.enrolled.add(member);
      return Response.json({ message: "OK" }, { status: 202 });
    }
    if (path === "/v2/signals") {
      const batch = (await req.json()) as FakeCommons["signals"];
      if (c.refuseNext > 0) {
        c.refuseNext--;
        return Response.json({ message: "[0].source.value: required" }, { status: 400 });
      }
      c.signals.push(...batch);
      if (c.loseAnswers > 0) {
        c.loseAnswers--;
        throw new Error("connection reset after the request was sent");
      }
      return Response.json({ message: "OK" });
    }
    if (path === "/v2/decisions/stream") {
      c.streamCalls++;
      const since = Number(url.searchParams.get("since") ?? "0");
      // As the commons' Publisher: each changed key once, in its latest state.
      const last = new Map<string, { listed: boolean; d: CapiStreamDecision }>();
      for (const v of c.versions.slice(since)) {
        for (const d of v.deleted) last.set(d.value, { listed: false, d });
        for (const d of v.new) last.set(d.value, { listed: true, d });
      }
      const changes = [...last.values()];
      return Response.json({
        new: changes.filter((x) => x.listed).map((x) => x.d),
        deleted: changes.filter((x) => !x.listed).map((x) => x.d),
        seq: c.versions.length,
        full: false,
      });
    }
    if (path.startsWith("/v1/ip/")) {
      const ip = decodeURIComponent(path.slice("/v1/ip/".length));
      const listed = c.versions.some((v) => v.new.some((d) => d.value === ip));
      return Response.json({
        ip,
        key: ip,
        listed,
        reporters: listed ? 3 : 0,
        scenarios: listed ? ["crowdsecurity/ssh-bf"] : [],
        first_seen: null,
        last_seen: null,
        classification: listed ? "malicious" : "unknown",
        until: null,
        reason: listed ? "listed by 3 members" : "no reports",
      });
    }
    return Response.json({ message: "not found" }, { status: 404 });
  });
  return c;
}
