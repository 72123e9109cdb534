/**
 * A user error: bad flags, unreadable files, invalid scenario files. The CLI prints its
 * message (what happened / why / how to fix) without a stack trace and exits 1.
 */
export class UserError extends Error {
  override readonly name = "UserError";
}

export function fail(message: string): never {
  throw new UserError(message);
}
