/** Durations (`500ms`, `2s`, `1m30s`) and sizes (`512KiB`, `256MB`) as written in the config. */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
};

/** Milliseconds, or undefined when `text` is not a duration. A bare number is seconds. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") return text >= 0 ? text * 1000 : undefined;
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const parts = t.match(/(\d+(?:\.\d+)?)(ms|s|m|h)/g);
  if (parts === null || parts.join("") !== t) return undefined;
  let ms = 0;
  for (const p of parts) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(p) as RegExpExecArray;
    ms += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
  }
  return ms;
}

/** Bytes, or undefined when `text` is not a size. A bare number is bytes. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isInteger(text) && text >= 0 ? text : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (m === null) return undefined;
  const unit = SIZE_UNITS[(m[2] as string).toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
