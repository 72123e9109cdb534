import type { Env } from "../../env";

/** The SourceTracker of a source key (`sourceKeyOf`). */
export function trackerOf(env: Pick<Env, "SOURCES">, source: string) {
  return env.SOURCES.get(env.SOURCES.idFromName(source));
}
