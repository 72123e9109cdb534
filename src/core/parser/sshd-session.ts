import type { PendingFailure, SshSession } from "./parse-state";
import type { ProgramContext } from "./program-context";

/**
 * An sshd session is one sshd process (one client connection): its lines share the host
 * and the pid. sshd writes the client's address on most of them but not all
 * (`Disconnecting: Too many authentication failures`, `kex_exchange_identification: …`,
 * `fatal: Unable to negotiate a key exchange method`); those take the address of an
 * earlier line of the same process, or, when none came yet, the next one's.
 *
 * A process id is reused by later connections, so a session is forgotten when sshd logs
 * its end (a close, a disconnect, any `fatal:`), when another address shows up under the
 * same pid, and after `ParseState`'s time to live: an address is never carried from one
 * connection to another.
 */

function keyOf(ctx: ProgramContext): string | undefined {
  if (!ctx.state || ctx.pid === "") return undefined;
  return `${ctx.host}\u0000${ctx.pid}`;
}

function live(ctx: ProgramContext): { key: string; at: number } | undefined {
  const key = keyOf(ctx);
  if (key === undefined) return undefined;
  const at = ctx.time();
  return Number.isNaN(at) ? undefined : { key, at };
}

/** The session's address, if a line of this process gave one and the session is live. */
export function sessionAddress(ctx: ProgramContext): string | undefined {
  const k = live(ctx);
  return k ? ctx.state?.session(k.key, k.at)?.ip : undefined;
}

/**
 * Records that this process' line carried `ip`. A different address under the same pid
 * is a new connection: what the old one left is dropped. Returns the failure the
 * session logged earlier without an address, now attributable to `ip`.
 */
export function remember(
  ctx: ProgramContext,
  ip: string,
  failure: boolean,
): PendingFailure | undefined {
  const k = live(ctx);
  if (!k || !ctx.state) return undefined;
  const s: SshSession = ctx.state.touch(k.key, k.at);
  if (s.ip !== undefined && s.ip !== ip) {
    s.failures = 0;
    s.pending = undefined;
  }
  s.ip = ip;
  if (failure) s.failures++;
  const pending = s.pending;
  s.pending = undefined;
  return pending;
}

/** Failures this session logged so far (attributed or not). */
export function failuresOf(ctx: ProgramContext): number {
  const k = live(ctx);
  return k ? (ctx.state?.session(k.key, k.at)?.failures ?? 0) : 0;
}

/** Keeps an address-less failure until a later line of the process gives the address. */
export function defer(ctx: ProgramContext, pending: PendingFailure): void {
  const k = live(ctx);
  if (!k || !ctx.state) return;
  const s = ctx.state.touch(k.key, k.at);
  s.failures++;
  s.pending ??= pending;
}

export function endSession(ctx: ProgramContext): void {
  const key = keyOf(ctx);
  if (key !== undefined) ctx.state?.end(key);
}
