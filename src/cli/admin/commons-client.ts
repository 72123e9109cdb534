import type { ParseArgsConfig } from "node:util";
import { type AdminApi, AdminClient } from "./client";
import type { ParsedVerb } from "./command";
import { resolveConnection } from "./connection";

/** `palisade commons …`: the operator's commands over a commons' admin API (/v1/admin). */

export const COMMONS_API: AdminApi = { prefix: "/v1/admin", secret: "COMMONS_ADMIN_TOKEN" };

export const COMMONS_USAGE = `Usage (PALISADE_URL / --url is the commons, PALISADE_TOKEN / --token its COMMONS_ADMIN_TOKEN):
  palisade commons keys add [--uses N] [--ttl 168h] [--note TEXT] [--tag T]... [-o human|json]
  palisade commons members list [-o human|json]
  palisade commons members revoke MACHINE_ID [-o human|json]
  palisade commons why IP [-o human|json]
  palisade commons safelist list|add CIDR --reason TEXT|remove CIDR|load NAME FILE
  palisade commons status [-o human|json]

keys add mints an enrollment key: a member runs cscli console enroll KEY (one use and
7 days by default). revoke ends a member's membership and forgets its reports. why
explains whether an address is listed and why (reporters, trust, the rule that decides).`;

type Options = NonNullable<ParseArgsConfig["options"]>;

export function commonsClient(values: ParsedVerb<Options>["values"]): AdminClient {
  const v = values as { url?: string; token?: string; config?: string };
  return new AdminClient(resolveConnection(v, process.env), fetch, COMMONS_API);
}
