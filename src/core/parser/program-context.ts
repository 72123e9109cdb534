import type { Event } from "../event";
import type { ParseState } from "./parse-state";
import type { ParseOptions } from "./types";

/** What a program parser knows of the line besides its message. */
export interface ProgramContext {
  host: string;
  program: string;
  pid: string;
  /** The frame's log time in ms (NaN when the stamp is no real date). Computed on demand. */
  time(): number;
  state: ParseState | undefined;
  opts: ParseOptions;
  /** Set by a parser that gave the event its own time (a web line's stamp). */
  timed: boolean;
}

/**
 * true: recognised (the event is filled); false: not this parser's line; a string:
 * recognised, but it yields no event, for that reason (e.g. a host name where an address
 * should be).
 */
export type ProgramVerdict = boolean | string;

export type ProgramParser = (message: string, evt: Event, ctx: ProgramContext) => ProgramVerdict;
