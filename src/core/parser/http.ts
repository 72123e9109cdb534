import type { LogParser } from "./types";

/** nginx, apache2 and traefik access-log parsers (to be implemented). */
export const httpParsers: LogParser[] = [];
