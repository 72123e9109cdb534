/**
 * A user error: bad flags, unreadable files, invalid scenario files, a refused API call.
 * Every one is told the same way, in three parts (what happened / why / how to fix), and
 * the CLI prints it without a stack trace and exits 1.
 */
export interface Problem {
  what: string;
  why: string;
  fix: string;
}

export class UserError extends Error {
  override readonly name = "UserError";
  constructor(readonly problem: Problem) {
    super(renderProblem(problem));
  }
}

/** The one rendering of a problem: `what` then indented `why:` and `fix:` lines. */
export function renderProblem(p: Problem): string {
  return `${p.what}\n  why: ${p.why}\n  fix: ${p.fix}`;
}

export function problem(what: string, why: string, fix: string): Problem {
  return { what, why, fix };
}

export function fail(what: string, why: string, fix: string): never {
  throw new UserError({ what, why, fix });
}

export function failWith(p: Problem): never {
  throw new UserError(p);
}

/** `--help` (or `-h`) on any command: its usage goes to stdout and the exit code is 0. */
export class HelpRequested extends Error {
  override readonly name = "HelpRequested";
  constructor(readonly usage: string) {
    super("help requested");
  }
}
