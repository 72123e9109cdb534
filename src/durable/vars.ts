/**
 * Numeric vars arrive as strings (wrangler.toml `[vars]`, `.dev.vars`). An unset or
 * unusable value falls back to the default rather than breaking the Worker, and the
 * fallback is logged once per isolate and var, so a typo is visible in `wrangler tail`.
 */
const warned = new Set<string>();

export function intVar(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(
      `palisade.config.invalid: ${name}=${JSON.stringify(value)} is not an integer in ${min}..${max}; using ${fallback}.`,
    );
  }
  return fallback;
}
