/**
 * What a Durable Object answers when the request may be refused: the refusal travels as
 * data (status, stable code, message naming the value, the rule and the fix) and the
 * Worker turns it into the one HTTP error type. Throwing across RPC would lose the status.
 */
export type Refusal = {
  ok: false;
  status: 400 | 401 | 403 | 404 | 409 | 422 | 429;
  code: string;
  message: string;
  path?: string;
};

export type Outcome<T> = { ok: true; value: T } | Refusal;

export function refuse(
  status: Refusal["status"],
  code: string,
  message: string,
  path?: string,
): Refusal {
  return path === undefined
    ? { ok: false, status, code, message }
    : { ok: false, status, code, message, path };
}

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}
