import type { PeerId } from '../../../core/index.js';
import type { Conn } from './conn.js';
import { I_CID, I_REMOTE, type Rows } from './rows.js';

/**
 * Every peer's connections by remote id, swarm-wide: one open-addressing hash table per peer
 * (`slots` entries, linear probing, deletion by backward shift) in one Int32Array holding the
 * connection's row + 1. Finding the connection a message came on is the first thing every message
 * needs: a scan of the peer's ~40 remotes touched four or five cache lines, this one or two.
 */
export class ConnIndex {
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly shift: number;
  /** The connection holding each row (rows are reused: only what the table points at is current). */
  private readonly byRow: Conn[] = [];

  /** `peers` peers with at most `perPeer` connections each, their rows in `rows`. */
  constructor(peers: number, perPeer: number, private readonly rows: Rows) {
    let bits = 3;
    while (1 << bits < 2 * perPeer) bits++;
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.table = new Int32Array(peers << bits);
  }

  private home(remote: PeerId): number {
    return Math.imul(remote, 0x9e3779b1) >>> this.shift;
  }

  get(peer: PeerId, remote: PeerId): Conn | undefined {
    const row = this.rowOf(peer, remote);
    return row < 0 ? undefined : this.byRow[row];
  }

  /** `get` for a message of connection `cid` from `remote` addressed to row `port` (`WireMsg.port`). */
  getFor(peer: PeerId, remote: PeerId, cid: number, port: unknown): Conn | undefined {
    const row = this.rowFor(peer, remote, cid, port);
    return row < 0 ? undefined : this.byRow[row];
  }

  /**
   * `rowOf`, trying first the row a message from `remote` on connection `cid` was addressed to: that
   * row is the answer when it holds that connection (cids are never reused, a dropped connection's
   * row has its cid cleared, and of the connection's two rows only the receiver's names `remote`), so
   * the table is not read. Any other `port` (stale, absent, hostile) falls back to the table.
   */
  rowFor(peer: PeerId, remote: PeerId, cid: number, port: unknown): number {
    const rows = this.rows;
    if (typeof port === 'number' && (port | 0) === port && port >= 0 && port < rows.capacity) {
      const r = port * rows.stride;
      if (rows.i32[r + I_CID] === cid && rows.i32[r + I_REMOTE] === remote) return port;
    }
    return this.rowOf(peer, remote);
  }

  /** The row of `peer`'s connection to `remote`, or -1 (the remote is checked in the row itself, so a
   * lookup touches the table and the row, not the connection's object). */
  rowOf(peer: PeerId, remote: PeerId): number {
    const t = this.table, base = peer * (this.mask + 1), mask = this.mask, i32 = this.rows.i32, stride = this.rows.stride;
    for (let h = this.home(remote); ; h = (h + 1) & mask) {
      const v = t[base + h]!;
      if (v === 0) return -1;
      if (i32[(v - 1) * stride + I_REMOTE] === remote) return v - 1;
    }
  }

  /** Adds `c` (the caller knows `peer` has no connection to `c.remote`, and `c` has a row). */
  add(peer: PeerId, c: Conn): void {
    const t = this.table, base = peer * (this.mask + 1), mask = this.mask;
    let h = this.home(c.remote);
    while (t[base + h] !== 0) h = (h + 1) & mask;
    t[base + h] = c.slot + 1;
    this.byRow[c.slot] = c;
  }

  remove(peer: PeerId, remote: PeerId): void {
    const t = this.table, base = peer * (this.mask + 1), mask = this.mask;
    let h = this.home(remote);
    for (; ; h = (h + 1) & mask) {
      const v = t[base + h]!;
      if (v === 0) return;
      if (this.byRow[v - 1]!.remote === remote) break;
    }
    // backward shift: move later entries of the probe run into the hole when their home allows it
    let hole = h;
    for (let j = (h + 1) & mask; ; j = (j + 1) & mask) {
      const v = t[base + j]!;
      if (v === 0) break;
      const k = this.home(this.byRow[v - 1]!.remote);
      // the entry at j may fill the hole unless its home lies cyclically in (hole, j]
      if (hole <= j ? k <= hole || k > j : k <= hole && k > j) {
        t[base + hole] = v;
        hole = j;
      }
    }
    t[base + hole] = 0;
  }
}

/**
 * A peer's connections by remote id, in the order they were made (the order every loop over them
 * follows); lookups go through the swarm's `ConnIndex`. `values()` is the live list: iterate a copy if
 * the loop may close connections.
 */
export class ConnList {
  private readonly list: Conn[] = [];
  constructor(
    private readonly index: ConnIndex,
    private readonly peer: PeerId,
  ) {}
  get size(): number {
    return this.list.length;
  }
  get(remote: PeerId): Conn | undefined {
    return this.index.get(this.peer, remote);
  }
  has(remote: PeerId): boolean {
    return this.index.get(this.peer, remote) !== undefined;
  }
  /** Adds the connection to `c.remote` (there is none yet). */
  add(c: Conn): void {
    this.list.push(c);
    this.index.add(this.peer, c);
  }
  delete(remote: PeerId): boolean {
    const list = this.list;
    for (let i = 0; i < list.length; i++)
      if (list[i]!.remote === remote) {
        list.splice(i, 1);
        this.index.remove(this.peer, remote);
        return true;
      }
    return false;
  }
  values(): readonly Conn[] {
    return this.list;
  }
  entries(): [PeerId, Conn][] {
    return this.list.map((c) => [c.remote, c]);
  }
}
