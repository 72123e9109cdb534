import { z } from "zod";

/**
 * Every Palisade HTTP error (src/http/error.ts renders it): a stable `code` to
 * branch on, a message for people, and where in the request the problem is
 * (`body.duration`, `query.ip`, `headers.authorization`, `params.id`).
 */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    path: z.string().optional(),
  }),
  /** Every problem of a refused upload (runtime content), as `palisade scenarios lint` prints them. */
  diagnostics: z
    .array(
      z.object({
        code: z.string(),
        path: z.string(),
        message: z.string(),
        severity: z.enum(["error", "warning"]),
      }),
    )
    .optional(),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;
