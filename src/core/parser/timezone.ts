/**
 * IANA time zones through Intl (the bundle carries no tz database): one formatter per
 * zone, shared by the syslog and the http timestamp readers.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(zone, format);
  }
  return format;
}

/** Offset (seconds east of UTC) of IANA zone `zone` at the UTC instant `utcMs`. */
export function zoneOffsetAt(zone: string, utcMs: number): number {
  const p: Record<string, number> = {};
  for (const part of formatFor(zone).formatToParts(utcMs)) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 1000);
}

/** True when `name` is an IANA zone Intl knows (`Europe/Paris`, `UTC`). */
export function isValidTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
