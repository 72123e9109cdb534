import { c, GrokSearch, grok } from "./http-grok";
import { DATA, URIHOST, USER } from "./http-patterns";

/**
 * The traefik parser's router-chain sub-groks (`root -> intermediate… -> leaf`). Each
 * router is `%{USER}@%{URIHOST}` or `-`; URIHOST's nested `port` is reported too, so a
 * chain sets `Parsed.port` (to "" for the usual `name@provider`), as in CrowdSec.
 */
const TRAEFIK_ROUTER = grok`${USER}@${URIHOST}|\-`;
const CHAIN_TAIL = grok`(?: -> (?:${c("traefik_router_intermediate", DATA)} -> )?${c("traefik_router_leaf", TRAEFIK_ROUTER)})?$`;

/** The CLF node's chain grok: a root is required. */
export const CLF_CHAIN = new GrokSearch(
  grok`^${c("traefik_router_name_root", TRAEFIK_ROUTER)}${CHAIN_TAIL}`,
);

/** The JSON node's chain grok: the root is optional, so an empty name matches. */
export const JSON_CHAIN = new GrokSearch(
  grok`^${c("traefik_router_name_root", TRAEFIK_ROUTER)}?${CHAIN_TAIL}`,
);
