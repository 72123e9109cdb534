// The annotated sample logs, one per daemon: every failure form has the source and time
// its annotation gives, read as one stream (sessions carry over, as in palisade parse).
import { describe, expect, it } from "vitest";
import type { Event } from "../../../src/core/event";
import { ParseState, parserFor } from "../../../src/core/parser/index";
import { UNPARSED_REASONS } from "../../../src/core/parser/unparsed-reason";
import { type AnnotatedLog, annotatedLogs, readAnnotated } from "./annotated-support";

interface Outcome {
  evt: Event | null;
  reason: string | undefined;
}

function run(log: AnnotatedLog): Outcome[] {
  const parser = parserFor(log.type);
  if (!parser) throw new Error(`${log.name}: no parser for type ${log.type}`);
  const state = new ParseState();
  const origin = { src: log.name, module: "file", labels: { type: log.type } };
  const opts = { now: Date.UTC(2026, 10, 27), ...(log.year ? { year: log.year } : {}) };
  return log.lines.map((l) => {
    const evt = parser.parse(l.line, origin, opts, state);
    return { evt, reason: state.reason };
  });
}

for (const name of annotatedLogs()) {
  describe(`annotated ${name}`, () => {
    const log = readAnnotated(name);
    const outcomes = run(log);

    it("annotates at least one form", () => {
      expect(log.lines.filter((l) => l.expect).length).toBeGreaterThan(5);
    });

    log.lines.forEach((l, i) => {
      const x = l.expect;
      const o = outcomes[i] as Outcome;
      if (!x) {
        it(`line ${l.at}: context line, no source taken from elsewhere`, () => {
          const ip = o.evt?.Meta.source_ip;
          if (ip !== undefined) expect(l.line).toContain(ip);
          expect(o.evt?.Parsed.sshd_session).toBeUndefined();
        });
        return;
      }
      it(`line ${l.at}: ${x.form}`, () => {
        if (x.none !== undefined) {
          expect(o.evt?.Meta.source_ip, l.line).toBeUndefined();
          if (x.none !== "-") {
            expect(o.evt).toBeNull();
            expect(o.reason).toBe(x.none);
            expect(Object.keys(UNPARSED_REASONS)).toContain(x.none);
          }
          return;
        }
        expect(o.evt, `${l.line}\nreason: ${o.reason}`).not.toBeNull();
        const e = o.evt as Event;
        expect(e.Meta.source_ip).toBe(x.source);
        expect(new Date(e.Time).toISOString().replace(".000Z", "Z")).toBe(x.time);
        if (x.type !== undefined) expect(e.Meta.log_type ?? "-").toBe(x.type);
        if (x.sub !== undefined) expect(e.Meta.sub_type).toBe(x.sub);
      });
    });
  });
}
