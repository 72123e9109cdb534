import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** One per source IP: bucket states, the active decision, decision history (issue 4). */
export class SourceTracker extends DurableObject<Env> {}
