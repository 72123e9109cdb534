import type { Event } from "../event";
import { put } from "./http-enrich";
import { c, GrokMatcher, grok, raw } from "./http-grok";
import {
  DATA,
  HTTPDATE,
  IPORHOST,
  NGCUSTOMUSER,
  NOTDQUOTE,
  NUMBER,
  URI,
  WORD,
} from "./http-patterns";
import { traefikJson } from "./traefik-json";
import { CLF_CHAIN } from "./traefik-router";

/** crowdsecurity/traefik-logs (s01): the CLF grok, else the JSON node. */

const TRAEFIK_SERVER_URL = grok`${URI}|\-`;
const NUMBER_MINUS = raw("[0-9-]+");
const NGINXACCESS2 = grok`${c("remote_addr", IPORHOST)} - ${c("remote_user", NGCUSTOMUSER)} \[${c("time_local", HTTPDATE)}\] "${c("verb", WORD)} ${c("request", DATA)} HTTP/${c("http_version", NUMBER)}" ${c("status", NUMBER_MINUS)} ${c("body_bytes_sent", NUMBER_MINUS)} "${c("http_referer", NOTDQUOTE)}" "${c("http_user_agent", NOTDQUOTE)}"`;

const CLF = new GrokMatcher(
  grok`${NGINXACCESS2} ${c("number_of_requests_received_since_traefik_started", NUMBER)} "${c("traefik_router_name", DATA)}" "${c("traefik_server_url", TRAEFIK_SERVER_URL)}" ${c("request_duration_in_ms", NUMBER)}ms`,
  { guarded: true, lead: /[0-9A-Za-z:]/, needs: ['] "', "ms"] },
);

function clf(evt: Event, msg: string): boolean {
  const m = CLF.exec(msg);
  if (!m) return false;
  const p = evt.Parsed;
  CLF.assign(m, p);
  const chain = CLF_CHAIN.exec(p.traefik_router_name ?? "");
  if (chain) CLF_CHAIN.assign(chain, p);
  return true;
}

/** Runs the traefik s01 nodes on `evt.Parsed.message`; returns StrTime, or null when none matched. */
export function traefikS01(evt: Event): string | null {
  const p = evt.Parsed;
  const msg = p.message ?? "";
  if (!clf(evt, msg) && !traefikJson(evt, msg)) return null;
  const meta = evt.Meta;
  meta.service = "http";
  put(meta, "http_status", p.status);
  put(meta, "http_path", p.request);
  put(meta, "user", p.remote_user);
  put(meta, "source_ip", p.remote_addr);
  put(meta, "http_user_agent", p.http_user_agent);
  meta.log_type = "http_access-log";
  const leaf = p.traefik_router_leaf ?? "";
  put(meta, "traefik_router_name_root", leaf !== "" ? p.traefik_router_name_root : "");
  put(meta, "traefik_router_name_intermediate", p.traefik_router_intermediate);
  put(meta, "traefik_router_name_leaf", leaf);
  put(meta, "traefik_router_name", p.traefik_router_name);
  put(meta, "http_verb", p.verb);
  return p.time_local ?? "";
}
