import { type ConsensusStore, record, sweep } from "../../../src/commons/consensus/engine";
import {
  type ConsensusParams,
  DEFAULT_TRUST,
  type TrustParams,
} from "../../../src/commons/consensus/params";
import { trustOf } from "../../../src/commons/consensus/trust";
import { SAFELIST_SOURCES } from "../../../src/commons/data/safelist.gen";
import { boundRefusal, utcDay } from "../../../src/commons/policy/bound";
import { compileSafeList } from "../../../src/commons/policy/safelist";
import { intakeOf } from "../../../src/commons/policy/signal";
import { shardOf } from "../../../src/commons/shard-key";
import type { CapiSignal } from "../../../src/contract/capi-signal";
import { MemoryStore } from "./memory-store";

interface SimMember {
  id: string;
  enrolled: boolean;
  corroborated: number;
  uncorroborated: number;
  safe: number;
  day: number;
  sentToday: number;
}

/**
 * The commons' intake and consensus composed as the Worker, the Registry and the shards
 * compose them (policy, daily bound, deduplication, consensus, trust credits), with the
 * shards' stores in memory: what the simulation drives for weeks of simulated time.
 */
export class SimulatedCommons {
  readonly members = new Map<string, SimMember>();
  readonly shards: MemoryStore[];
  readonly safeList = compileSafeList(SAFELIST_SOURCES);
  /** Every key that was ever listed, and when first. */
  readonly everListed = new Map<string, number>();
  private readonly seen = new Set<string>();
  refused = 0;

  constructor(
    readonly params: ConsensusParams,
    readonly bound: number,
    shardCount = 8,
    readonly trustParams: TrustParams = DEFAULT_TRUST,
  ) {
    this.shards = Array.from({ length: shardCount }, () => new MemoryStore());
  }

  addMember(id: string, enrolled: boolean): void {
    this.members.set(id, {
      id,
      enrolled,
      corroborated: 0,
      uncorroborated: 0,
      safe: 0,
      day: 0,
      sentToday: 0,
    });
  }

  trust(id: string): number {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return trustOf(
      { corroborated: m.corroborated, uncorroborated: m.uncorroborated, safe: m.safe },
      this.trustParams,
    );
  }

  /** `POST /v2/signals`: false when the daily bound refuses the batch. */
  send(memberId: string, signals: readonly CapiSignal[], now: number): boolean {
    const m = this.members.get(memberId);
    if (!m) throw new Error(`no member ${memberId}`);
    if (m.day !== utcDay(now)) [m.day, m.sentToday] = [utcDay(now), 0];
    if (boundRefusal(m.id, m.sentToday, signals.length, this.bound, now)) {
      this.refused += signals.length;
      return false;
    }
    m.sentToday += signals.length;
    const member = { id: m.id, enrolled: m.enrolled, trust: this.trust(m.id) };
    const byShard = new Map<number, Parameters<typeof record>[1][number][]>();
    const safeKeys = new Set<string>();
    signals.forEach((s, i) => {
      const id = s.uuid ?? `${s.scenario}|${s.source.value}|${s.start_at}|${s.stop_at}|${i}`;
      const intake = intakeOf(s, member, this.safeList, {
        id,
        now,
        windowMs: this.params.windowMs,
      });
      if (intake.kind !== "report") return;
      if (intake.safe) safeKeys.add(intake.report.key);
      const dedup = `${m.id}\u0000${id}`;
      if (this.seen.has(dedup)) return;
      this.seen.add(dedup);
      const shard = shardOf(intake.report.key, this.shards.length);
      byShard.set(shard, [...(byShard.get(shard) ?? []), intake.report]);
    });
    if (m.enrolled) m.safe += safeKeys.size;
    for (const [i, reports] of byShard) {
      record(this.shards[i] as ConsensusStore, reports, now, this.params);
    }
    this.collect(now);
    return true;
  }

  /** The shards' alarms and the Registry's credit intake. */
  tick(now: number): void {
    for (const s of this.shards) while (sweep(s, now, this.params));
    this.collect(now);
  }

  isListed(key: string): boolean {
    return this.shards[shardOf(key, this.shards.length)]?.listingOf(key) !== undefined;
  }

  listedCount(): number {
    return this.shards.reduce((n, s) => n + s.listings.size, 0);
  }

  private collect(now: number): void {
    for (const s of this.shards) {
      for (const c of s.outbox.splice(0)) {
        if (c.op === "add" && !this.everListed.has(c.key)) this.everListed.set(c.key, now);
      }
      for (const { member, delta } of s.credits.splice(0)) {
        const m = this.members.get(member);
        if (!m) continue;
        m.corroborated += delta.corroborated;
        m.uncorroborated += delta.uncorroborated;
      }
    }
  }
}
