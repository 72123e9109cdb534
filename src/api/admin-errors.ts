import { errorBodySchema } from "../contract/error";
import { PalisadeHttpError } from "../http/error";

/** The admin API's errors, all PalisadeHttpError (body: src/contract/error.ts). */

export function notFound(path: string, message: string): PalisadeHttpError {
  return new PalisadeHttpError(404, "not_found", message, { path });
}

export function unprocessable(path: string, message: string): PalisadeHttpError {
  return new PalisadeHttpError(422, "invalid_request", `${path}: ${message}`, { path });
}

export function conflict(code: string, message: string, path?: string): PalisadeHttpError {
  return new PalisadeHttpError(409, code, message, path === undefined ? {} : { path });
}

export const errorResponse = (description: string) => ({ description, schema: errorBodySchema });
