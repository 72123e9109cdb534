import { type Cidr, parseCidr, subtractCidrs } from "../../core/ip";
import { type IpKey, ipKeyOfCidr } from "./ipkey";
import type { LedgerDecisionRow, LedgerStore } from "./store";

/**
 * What bouncers receive of a `Range` decision around operator-allowlisted addresses.
 *
 * CrowdSec's decision stream has no exceptions: a bouncer holds a range as one value
 * (the firewall bouncer puts it in an nftables set), so streaming the range would block
 * the allowlisted address at every firewall although the edge lets it through. The
 * stream can express the difference, though: the rest of the range as CIDR blocks. So
 * such a range is *carved*: it stays live in the Ledger (the admin API lists it, KV holds
 * it, the edge enforces it and lets the allowlisted addresses through), leaves the
 * stream (`out_seq`: bouncers get it as `deleted`), and child rows (`parent_id`) holding
 * the rest of it are streamed instead, with the range's type, origin, scenario and end.
 * A /24 around one address is 8 blocks, an IPv6 /64 around one address 64; past
 * MAX_PIECES the range is streamed whole (and logged).
 *
 * A range is carved again whenever an allowlist entry inside it comes or goes: its
 * pieces end (`recarved`, streamed as `deleted`) and new ones are streamed, or, with no
 * entry left inside, the range itself is streamed again (a new seq). Ending the range
 * ends its pieces.
 */

export const MAX_PIECES = 256;

export class StreamSplit {
  constructor(
    private readonly sql: SqlStorage,
    private readonly store: LedgerStore,
  ) {}

  /** Carves a live range for the bouncers around the allowlist entries inside it, or streams it whole. */
  carve(range: LedgerDecisionRow, now: number): void {
    const outer = parseCidr(range.value);
    if (range.scope !== "Range" || range.deleted_seq !== null || !outer) return;
    const holes = this.holesIn(range);
    // Undefined: stream it whole. Empty: entries inside fill it, nothing is left to stream.
    const pieces = holes.length === 0 ? undefined : this.piecesOf(range, outer, holes);
    const wanted = (pieces ?? []).map((p) => p.text);
    if (!sameList(this.livePieces(range.id), wanted)) {
      this.store.endPieces(range.id, now, "recarved");
      for (const piece of pieces ?? []) this.insertPiece(range, piece);
    }
    this.settle(range, pieces !== undefined);
  }

  private piecesOf(range: LedgerDecisionRow, outer: Cidr, holes: Cidr[]): Cidr[] | undefined {
    const pieces = subtractCidrs(outer, holes, MAX_PIECES);
    if (pieces === undefined) {
      console.warn("palisade.stream.carve_skipped", {
        id: range.id,
        value: range.value,
        message: `range ${range.value} holds allowlisted addresses, but carving them out takes more than ${MAX_PIECES} blocks: bouncers receive the whole range (the edge still lets the allowlisted addresses through).`,
      });
    }
    return pieces;
  }

  /** Carves again every live range strictly around `key` (an allowlist entry that came or went). */
  recarveAround(key: IpKey, now: number): void {
    const ranges = this.sql
      .exec<LedgerDecisionRow>(
        `SELECT * FROM decisions WHERE deleted_seq IS NULL AND parent_id IS NULL
           AND scope = 'Range' AND ip_size = ? AND ip_start <= ? AND ip_end >= ?
           AND NOT (ip_start = ? AND ip_end = ?) ORDER BY id`,
        key.size,
        key.start,
        key.end,
        key.start,
        key.end,
      )
      .toArray();
    for (const r of ranges) this.carve(r, now);
  }

  /** Operator allowlist entries strictly inside the range. */
  private holesIn(range: LedgerDecisionRow): Cidr[] {
    return this.sql
      .exec<{ value: string }>(
        `SELECT value FROM allowlist WHERE ip_size = ? AND ip_start >= ? AND ip_end <= ?
           AND NOT (ip_start = ? AND ip_end = ?)`,
        range.ip_size,
        range.ip_start,
        range.ip_end,
        range.ip_start,
        range.ip_end,
      )
      .toArray()
      .flatMap((r) => parseCidr(r.value) ?? []);
  }

  private livePieces(parentId: number): string[] {
    return this.sql
      .exec<{ value: string }>(
        "SELECT value FROM decisions WHERE parent_id = ? AND deleted_seq IS NULL ORDER BY id",
        parentId,
      )
      .toArray()
      .map((r) => r.value);
  }

  /** The range out of the stream (carved) or back in it (whole), each move a new seq. */
  private settle(range: LedgerDecisionRow, carved: boolean): void {
    const row = this.store.decision(range.id);
    if (!row || row.deleted_seq !== null) return;
    if (carved && row.out_seq === null) {
      this.sql.exec("UPDATE decisions SET out_seq = ? WHERE id = ?", this.store.nextSeq(), row.id);
    } else if (!carved && row.out_seq !== null) {
      // Streamed again as `new`: a new seq, as if it had just been made.
      this.sql.exec(
        "UPDATE decisions SET seq = ?, out_seq = NULL WHERE id = ?",
        this.store.nextSeq(),
        row.id,
      );
    }
  }

  private insertPiece(range: LedgerDecisionRow, piece: Cidr): void {
    const key = ipKeyOfCidr(piece);
    this.sql.exec(
      `INSERT INTO decisions (uuid, seq, origin, type, scope, value, start, until, scenario,
         alert_seq, ip_size, ip_start, ip_end, parent_id)
       VALUES (?, ?, ?, ?, 'Range', ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
      crypto.randomUUID(),
      this.store.nextSeq(),
      range.origin,
      range.type,
      piece.text,
      range.start,
      range.until,
      range.scenario,
      key.size,
      key.start,
      key.end,
      range.id,
    );
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
