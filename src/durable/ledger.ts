import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** The singleton ledger: alerts and decisions with sequence numbers (issue 4). */
export class Ledger extends DurableObject<Env> {}
