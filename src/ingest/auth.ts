import { hashToken, ledgerOf, sameHash } from "../durable/ledger/index";
import type { Env } from "../env";
import { credentialGuard } from "../http/credential-guard";
import { PalisadeHttpError } from "../http/error";

/**
 * The machine the bootstrap token (PALISADE_MACHINE_TOKEN) stands for: ingest only, like
 * every token that sits on a log server (it cannot log in as a watcher).
 */
export const BOOTSTRAP_MACHINE = "bootstrap";

export interface Caller {
  machine: string;
  /** Ledger calls authentication made (counted in the subrequest budget). */
  ledgerCalls: number;
}

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="palisade"' };
let bootstrapHash: { token: string; hash: string } | undefined;

/**
 * The machine behind `Authorization: Bearer <token>`: the bootstrap token, else a token
 * registered in the Ledger. 401 without usable credentials, 403 for a token nobody
 * issued. Runs before the body is read, so an unauthenticated client costs no parsing.
 */
export async function authenticate(request: Request, env: Env): Promise<Caller> {
  const header = request.headers.get("Authorization");
  if (header === null) {
    throw new PalisadeHttpError(
      401,
      "unauthenticated",
      "Missing Authorization header; send Authorization: Bearer <machine token>.",
      { path: "headers.authorization", headers: CHALLENGE },
    );
  }
  const token = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header)?.[1];
  if (token === undefined) {
    throw new PalisadeHttpError(
      401,
      "bad_authorization",
      "Authorization must be `Bearer <machine token>` (one token, no spaces).",
      { path: "headers.authorization", headers: CHALLENGE },
    );
  }
  const hash = await hashToken(token);
  const boot = await bootstrap(env.PALISADE_MACHINE_TOKEN);
  if (boot !== undefined && sameHash(hash, boot)) {
    return { machine: BOOTSTRAP_MACHINE, ledgerCalls: 0 };
  }
  const credential = `machine:${hash}`;
  if (credentialGuard.check(request, credential) === "known_bad") throw refused();
  const found = await ledgerOf(env).authenticate(hash);
  if (found?.role === "ingest") return { machine: found.machine, ledgerCalls: 1 };
  if (found) {
    throw new PalisadeHttpError(
      403,
      "wrong_role",
      `This token is the watcher password of machine ${found.machine}, not an ingest token: make one for the shipper with palisade machines add NAME --role ingest.`,
      { path: "headers.authorization" },
    );
  }
  credentialGuard.refused(request, credential);
  throw refused();
}

function refused(): PalisadeHttpError {
  return new PalisadeHttpError(
    403,
    "forbidden",
    "This machine token is not valid here: use the PALISADE_MACHINE_TOKEN secret or a token registered for a machine.",
    { path: "headers.authorization" },
  );
}

async function bootstrap(token: string | undefined): Promise<string | undefined> {
  if (!token) return undefined;
  if (bootstrapHash?.token !== token) bootstrapHash = { token, hash: await hashToken(token) };
  return bootstrapHash.hash;
}
