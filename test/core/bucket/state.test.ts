import { describe, expect, it } from "vitest";
import { type PourResult, pour } from "../../../src/core/bucket/pour";
import {
  type BucketState,
  isBucketState,
  QUEUED_STRING_MAX,
  queueAdd,
  queuedEvent,
} from "../../../src/core/bucket/state";
import type { Event } from "../../../src/core/event";
import { STATE_MAX_CHARS, stateJson } from "../../../src/durable/tracker/store";
import { deepFreeze, event, leakyYaml, load, SEC, T0 } from "./support";

const scenarios = load(`${leakyYaml("distinct: evt.Meta.target_user\nblackhole: 30s\n")}---
type: counter
name: test/count
description: test
filter: "evt.Meta.log_type == 'fail'"
capacity: -1
duration: 20s
---
type: conditional
name: test/cond
description: test
filter: "evt.Meta.log_type == 'fail'"
capacity: -1
leakspeed: 1m
condition: len(queue.Queue) > 4
`);

/** A mixed stream: bursts, pauses and repeated users, over a few minutes. */
function stream(): Event[] {
  const out: Event[] = [];
  let t = T0;
  for (let i = 0; i < 120; i++) {
    t += i % 17 === 0 ? 45 * SEC : (i % 5) * 700;
    out.push(event("1.2.3.4", t, { target_user: `u${i % 9}` }));
  }
  return out;
}

type Step = (state: BucketState | undefined, e: Event) => PourResult;

function replay(step: Step, events: readonly Event[]) {
  const outcomes: unknown[] = [];
  let state: BucketState | undefined;
  for (const e of events) {
    const r = step(state, e);
    outcomes.push([r.overflow?.events_count, r.overflow?.stop_at, r.expired?.events_count]);
    state = r.state;
  }
  return { outcomes, state };
}

describe("bucket state", () => {
  for (const scenario of scenarios) {
    it(`behaves identically after a JSON round trip at every step (${scenario.name})`, () => {
      const events = stream();
      const direct = replay((s, e) => pour(s, scenario, e, e.Time), events);
      const stored = replay((s, e) => {
        const revived = s === undefined ? undefined : (JSON.parse(JSON.stringify(s)) as unknown);
        if (revived !== undefined && !isBucketState(revived))
          throw new Error("state did not survive JSON");
        return pour(revived, scenario, e, e.Time);
      }, events);
      expect(stored.outcomes).toEqual(direct.outcomes);
      expect(JSON.parse(JSON.stringify(stored.state ?? null))).toEqual(
        JSON.parse(JSON.stringify(direct.state ?? null)),
      );
      expect(direct.outcomes.some((o) => (o as unknown[]).some((x) => x !== undefined))).toBe(true);
    });

    it(`gives the same results when it may grow the state in place (${scenario.name})`, () => {
      const events = stream();
      const alerts = (step: Step) => {
        const out: unknown[] = [];
        let state: BucketState | undefined;
        for (const e of events) {
          const r = step(state, e);
          for (const a of [r.expired, r.overflow]) {
            if (a) out.push([a.events_count, a.stop_at, a.events.map((x) => x.Time)]);
          }
          state = r.state;
        }
        // Alerts are compared after the whole stream: an in-place append to a queue an
        // earlier alert still holds would show here.
        return { out: JSON.stringify(out), state: JSON.stringify(state ?? null) };
      };
      const pure = alerts((s, e) => pour(s, scenario, e, e.Time));
      const owned = alerts((s, e) => pour(s, scenario, e, e.Time, "", true));
      expect(owned).toEqual(pure);
      expect(pure.out.length).toBeGreaterThan(2);
    });

    it(`never modifies its inputs (${scenario.name})`, () => {
      let state: BucketState | undefined;
      for (const e of stream()) {
        const frozenState = state === undefined ? undefined : deepFreeze(state);
        const snapshot = JSON.stringify([frozenState, e]);
        const r = pour(frozenState, scenario, deepFreeze(e), e.Time);
        expect(JSON.stringify([frozenState, e])).toBe(snapshot);
        state = r.state;
      }
    });
  }

  it("appends to a queue like CrowdSec's Queue.Add, copied or in place", () => {
    const events = Array.from({ length: 9 }, (_, i) => event("1.2.3.4", T0 + i * SEC));
    let copied: Event[] = [];
    let inPlace: Event[] = [];
    for (const e of events) {
      const before = copied;
      copied = queueAdd(copied, e, 3);
      expect(copied).not.toBe(before);
      inPlace = queueAdd(inPlace, e, 3, true);
      expect(inPlace.map((x) => x.Time)).toEqual(copied.map((x) => x.Time));
    }
    // At most limit + 1 events, the newest.
    expect(copied.map((x) => x.Time)).toEqual(events.slice(-4).map((x) => x.Time));
  });

  it("queues long strings cut to their head, the cut counted; short events untouched", () => {
    const short = event("1.2.3.4", T0);
    expect(queuedEvent(short)).toBe(short);
    const long = event("1.2.3.4", T0, { http_path: `/${"a".repeat(5000)}` });
    long.Line.Raw = `GET /${"a".repeat(5000)}`;
    long.Unmarshaled = { request: { uri: "b".repeat(3000), size: 7 } };
    const [queued] = queueAdd([], long, 3);
    expect(queued?.Meta.http_path).toBe(
      `/${"a".repeat(QUEUED_STRING_MAX - 1)}… [${5001 - QUEUED_STRING_MAX} more characters]`,
    );
    expect(queued?.Line.Raw.length).toBeLessThan(QUEUED_STRING_MAX + 40);
    expect(queued?.Unmarshaled).toEqual({
      request: {
        uri: `${"b".repeat(QUEUED_STRING_MAX)}… [${3000 - QUEUED_STRING_MAX} more characters]`,
        size: 7,
      },
    });
    expect(queued?.Meta.source_ip).toBe("1.2.3.4");
    // The caller's event is not changed.
    expect(long.Meta.http_path?.length).toBe(5001);
  });

  it("is stored within a SQLite row: a queue too large loses its oldest events, not its counts", () => {
    const fat = (i: number) => {
      const e = event("1.2.3.4", T0 + i, {});
      for (let f = 0; f < 30; f++) e.Parsed[`f${f}`] = "x".repeat(QUEUED_STRING_MAX);
      return e;
    };
    const queue = Array.from({ length: 40 }, (_, i) => fat(i));
    const state: BucketState = {
      v: 1,
      live: { first: T0, last: T0 + 39, count: 40, tokens: 0.5, tokensAt: T0, queue },
    };
    const json = stateJson(state, "test/fat");
    expect(json.length).toBeLessThanOrEqual(STATE_MAX_CHARS);
    const back = JSON.parse(json) as BucketState;
    expect(back.live?.count).toBe(40);
    expect(back.live?.tokens).toBe(0.5);
    const kept = back.live?.queue ?? [];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(40);
    // The newest events are the ones kept.
    expect(kept.map((e) => e.Time)).toEqual(queue.slice(-kept.length).map((e) => e.Time));
    // A state within the bound is stored as is.
    const small: BucketState = { v: 1, live: { ...state.live!, queue: queue.slice(0, 2) } };
    expect(stateJson(small, "test/fat")).toBe(JSON.stringify(small));
  });

  it("is versioned plain JSON", () => {
    const first = scenarios[0];
    if (!first) throw new Error("no scenario");
    const r = pour(undefined, first, event("1.2.3.4", T0, { target_user: "a" }), T0);
    expect(r.state?.v).toBe(1);
    expect(isBucketState(r.state)).toBe(true);
    expect(isBucketState({ v: 2 })).toBe(false);
    expect(isBucketState({ v: 1, live: { first: 1 } })).toBe(false);
  });
});
