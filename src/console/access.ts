import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import type { Env } from "../env";

/**
 * Cloudflare Access in front of the console: Access authenticates the operator and sends
 * `Cf-Access-Jwt-Assertion`, an RS256 JWT signed with the team's keys
 * (`https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`). Verified here against
 * those keys, the team as issuer and the application's AUD tag; the keys are fetched once
 * per isolate and refreshed by `jose` when an unknown key id shows up (key rotation).
 */

export interface AccessConfig {
  /** `https://<team>.cloudflareaccess.com` (issuer and where the keys are). */
  team: string;
  aud: string;
}

export const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";

/**
 * ACCESS_TEAM_DOMAIN (`myteam.cloudflareaccess.com`, or a full https URL; a plain http URL
 * only on a loopback address, for tests against a local key server) and ACCESS_AUD; both
 * or neither.
 */
export function accessConfig(env: Pick<Env, "ACCESS_TEAM_DOMAIN" | "ACCESS_AUD">) {
  const domain = env.ACCESS_TEAM_DOMAIN?.trim();
  const aud = env.ACCESS_AUD?.trim();
  if (!domain || !aud) return undefined;
  const team = /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
  const url = new URL(team);
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !loopback) return undefined;
  return { team: url.origin, aud } satisfies AccessConfig;
}

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The identity (email, else subject) of a valid Access JWT; undefined when it is not. */
export async function verifyAccess(token: string, cfg: AccessConfig): Promise<string | undefined> {
  let keys = keySets.get(cfg.team);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(`${cfg.team}/cdn-cgi/access/certs`), {
      cooldownDuration: 30_000,
    });
    keySets.set(cfg.team, keys);
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: cfg.team,
      audience: cfg.aud,
      algorithms: ["RS256"],
    }));
  } catch (e) {
    console.warn("palisade.console.access_rejected", {
      error: e instanceof Error ? e.message : String(e),
    });
    return undefined;
  }
  const email = payload.email;
  if (typeof email === "string" && email !== "") return email;
  return typeof payload.sub === "string" && payload.sub !== "" ? payload.sub : undefined;
}
