import { ipToRange } from "../core/ip";
import { PalisadeHttpError } from "./error";

/**
 * Unauthenticated guesses — a machine token, a bouncer's `X-Api-Key`, a watcher login —
 * must not each cost a call to the one Ledger Durable Object every isolate shares. Per
 * isolate (no storage, no network):
 * - credentials the Ledger refused are remembered by hash for BAD_TTL_MS (at most
 *   MAX_BAD of them, oldest forgotten first), so the same wrong key repeated is answered
 *   without asking again;
 * - each client network (an IPv4 address, an IPv6 /64) has a budget of FAILURES refused
 *   credentials per WINDOW_MS; past it, its attempts are answered 429 with Retry-After
 *   before anything is hashed or asked, until the window ends.
 * A valid credential is never delayed: a known-good hash is never cached as bad (only
 * what the Ledger refused is), and a client within its budget is always asked about.
 */

export const BAD_TTL_MS = 10 * 60_000;
export const MAX_BAD = 10_000;
export const FAILURES = 30;
export const WINDOW_MS = 60_000;

export type GuardVerdict = "ask" | "known_bad";

interface Budget {
  start: number;
  failures: number;
}

export class CredentialGuard {
  private readonly bad = new Map<string, number>();
  private readonly budgets = new Map<string, Budget>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Before asking the Ledger about `credential` (a hash, with whatever else names it):
   * throws 429 when the client is over its failure budget; `known_bad` when the Ledger
   * refused this credential lately (answer as it did, without asking); else `ask`.
   */
  check(request: Request, credential: string): GuardVerdict {
    const at = this.now();
    const budget = this.budgets.get(clientKey(request));
    if (budget && at - budget.start < WINDOW_MS && budget.failures >= FAILURES) {
      const retry = Math.max(1, Math.ceil((budget.start + WINDOW_MS - at) / 1000));
      throw new PalisadeHttpError(
        429,
        "too_many_failures",
        `Too many refused credentials from this address (${FAILURES} a minute); retry after ${retry} s.`,
        { headers: { "Retry-After": String(retry) } },
      );
    }
    const until = this.bad.get(credential);
    if (until === undefined) return "ask";
    if (until > at) {
      this.failed(request);
      return "known_bad";
    }
    this.bad.delete(credential);
    return "ask";
  }

  /**
   * Credentials were restored (a ledger import): what the Ledger refused before may be
   * valid now. Other isolates learn it when their entries lapse (BAD_TTL_MS).
   */
  forgetRefused(): void {
    this.bad.clear();
  }

  /** The Ledger refused `credential` for this client. */
  refused(request: Request, credential: string): void {
    this.bad.delete(credential);
    this.bad.set(credential, this.now() + BAD_TTL_MS);
    if (this.bad.size > MAX_BAD) {
      const oldest = this.bad.keys().next().value;
      if (oldest !== undefined) this.bad.delete(oldest);
    }
    this.failed(request);
  }

  private failed(request: Request): void {
    const at = this.now();
    const key = clientKey(request);
    const b = this.budgets.get(key);
    if (b && at - b.start < WINDOW_MS) {
      b.failures++;
      return;
    }
    this.budgets.delete(key);
    this.budgets.set(key, { start: at, failures: 1 });
    if (this.budgets.size > MAX_BAD) this.prune(at);
  }

  private prune(at: number): void {
    for (const [k, b] of this.budgets) if (at - b.start >= WINDOW_MS) this.budgets.delete(k);
    while (this.budgets.size > MAX_BAD) {
      const oldest = this.budgets.keys().next().value;
      if (oldest === undefined) break;
      this.budgets.delete(oldest);
    }
  }
}

/** The client's network: its IPv4 address, or its IPv6 /64 (whoever holds one address holds all). */
function clientKey(request: Request): string {
  const ip = request.headers.get("CF-Connecting-IP") ?? "";
  return ip.includes(":") ? (ipToRange(ip, 64) ?? ip) : ip;
}

/** The Worker's guard: one per isolate, shared by ingest, the bouncer and the watcher API. */
export const credentialGuard = new CredentialGuard();
