/**
 * What a parser remembers between the lines of one stream: the open sshd sessions (so
 * a line sshd writes without the peer's address, such as `Disconnecting: Too many
 * authentication failures [preauth]`, is attributed to the address the same sshd
 * process logged earlier), and why the last line yielded no event.
 *
 * The caller keeps one per stream of lines it reads in order: `palisade replay` and
 * `palisade parse` one per run (rotated files continue each other's sessions), ingest one
 * per batch. Memory is bounded: at most `maxSessions` sessions (the least recently
 * touched go first) and none older than `ttlMs` of log time.
 */

/** A failure sshd logged before it logged the peer's address (resolved by a later line). */
export interface PendingFailure {
  /** What the parser made of the line (for sshd, an `SshdKind`). */
  kind: string;
  user?: string;
  /** The message that reported it, kept for `Parsed.pending_message`. */
  message: string;
}

export interface SshSession {
  /** The peer's address, once a line of this process has carried it. */
  ip?: string;
  /** Log time (ms) of the session's latest line. */
  at: number;
  /** Failures this session has logged so far (any line, attributed or pending). */
  failures: number;
  pending?: PendingFailure | undefined;
}

export interface ParseStateOptions {
  maxSessions?: number;
  ttlMs?: number;
}

/** sshd's LoginGraceTime is 2 minutes by default: a pre-auth session idle longer is over. */
const DEFAULT_TTL_MS = 3 * 60_000;
const DEFAULT_MAX_SESSIONS = 4096;

export class ParseState {
  /** Why the latest `parse` returned null for a line it recognised; undefined otherwise. */
  reason: string | undefined;
  private readonly sessions = new Map<string, SshSession>();
  private readonly maxSessions: number;
  private readonly ttlMs: number;

  constructor(opts: ParseStateOptions = {}) {
    this.maxSessions = opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
  }

  /** The live session of `key` at log time `at`, or undefined (expired ones are dropped). */
  session(key: string, at: number): SshSession | undefined {
    const s = this.sessions.get(key);
    if (s === undefined) return undefined;
    if (Math.abs(at - s.at) > this.ttlMs) {
      this.sessions.delete(key);
      return undefined;
    }
    return s;
  }

  /** The session of `key`, created when absent, marked as the most recently used. */
  touch(key: string, at: number): SshSession {
    const s = this.session(key, at) ?? { at, failures: 0 };
    s.at = at;
    // Re-inserting moves the key to the end of the Map's order: the eviction order.
    this.sessions.delete(key);
    this.sessions.set(key, s);
    if (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
    return s;
  }

  /** Forgets a session (sshd logged its end, or another connection reuses the process). */
  end(key: string): void {
    this.sessions.delete(key);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }
}
