/**
 * One side of a connection as its owner sees it: a small object (identity, the queue of blocks the
 * remote asked for, a reorder buffer while messages wait) whose other fields are accessors into the
 * owner's `Rows`.
 */
import type { PeerId } from '../../../core/index.js';
import type { WireMsg } from '../wire/messages.js';
import {
  AM_CHOKING, AM_INTERESTED, ESTABLISHED, F_RECV_RATE, F_RECV_TOTAL, F_RECV_WINDOW, F_SENT_RATE, F_SENT_WINDOW, F_SINCE, F_STRIDE,
  I_CID, I_FLAGS, I_OFFERED, I_OFFERED_PREV, I_OFFERED_SENT, I_OUT_LEN, I_RECV_SEQ, I_REMOTE, I_REMOTE_COUNT, I_SEND_SEQ,
  I_WANTED, IN_SERVE_QUEUE, PEER_CHOKING, PEER_INTERESTED, REORDERING, type Rows,
} from './rows.js';

/**
 * The empty upload queue every idle connection shares (frozen: pushing to it would throw). Most of a
 * peer's ~40 connections are choked at any time, so giving each its own array cost ~100 bytes per
 * connection for nothing; a queue gets its own array with its first request and drops it when empty.
 */
export const NONE: number[] = Object.freeze([]) as unknown as number[];

/**
 * One side of a connection, as peer `self` sees it: identity, the request queues and accessors into
 * the owner's `Rows`. Kept small: a peer holds up to `maxConnections + 5` of these, and at 10^4 peers
 * connections are most of the swarm's memory.
 */
export class Conn {
  private waiting: Map<number, WireMsg> | null = null;
  /** Blocks the remote requested from us, in order; `NONE` when empty. */
  inq: number[] = NONE;
  constructor(
    readonly remote: PeerId,
    readonly cid: number,
    /** Row in `rows` (-1 once the connection is dropped). */
    public slot: number,
    private readonly rows: Rows,
  ) {
    rows.i32[slot * rows.stride + I_REMOTE] = remote;
    rows.i32[slot * rows.stride + I_CID] = cid;
  }

  /** Messages that arrived ahead of `recvSeq`; null when none wait (the common case). The row's
   * REORDERING flag says whether any wait, for the handlers that read only the row. */
  get reorder(): Map<number, WireMsg> | null {
    return this.waiting;
  }
  set reorder(m: Map<number, WireMsg> | null) {
    this.waiting = m;
    if (this.slot >= 0) this.setFlag(REORDERING, m !== null);
  }

  /** Still one of its owner's connections: a dropped connection gives its row back (slot -1) and is
   * never added again, so this is `conns.get(remote) === this` without the lookup. */
  get open(): boolean {
    return this.slot >= 0;
  }

  private flag(f: number): boolean {
    return (this.rows.i32[this.slot * this.rows.stride + I_FLAGS]! & f) !== 0;
  }
  private setFlag(f: number, on: boolean): void {
    const i = this.slot * this.rows.stride + I_FLAGS, v = this.rows.i32[i]!;
    this.rows.i32[i] = on ? v | f : v & ~f;
  }
  private int(k: number): number {
    return this.rows.i32[this.slot * this.rows.stride + k]!;
  }
  private setInt(k: number, v: number): void {
    this.rows.i32[this.slot * this.rows.stride + k] = v;
  }
  private dbl(k: number): number {
    return this.rows.f64[this.slot * F_STRIDE + k]!;
  }
  private setDbl(k: number, v: number): void {
    this.rows.f64[this.slot * F_STRIDE + k] = v;
  }

  /** Blocks we requested from the remote (global block ids), oldest first. */
  get outLength(): number { return this.int(I_OUT_LEN); }
  outAt(i: number): number {
    return this.rows.out[this.slot * this.rows.outCap + i]!;
  }
  outIndexOf(id: number): number {
    const o = this.rows.out, base = this.slot * this.rows.outCap, n = this.outLength;
    for (let i = 0; i < n; i++) if (o[base + i] === id) return i;
    return -1;
  }
  /** Appends a request; the caller keeps at most `outCap` outstanding. */
  outPush(id: number): void {
    const n = this.outLength;
    this.rows.out[this.slot * this.rows.outCap + n] = id;
    this.setInt(I_OUT_LEN, n + 1);
  }
  outRemoveAt(i: number): void {
    const base = this.slot * this.rows.outCap, n = this.outLength;
    this.rows.out.copyWithin(base + i, base + i + 1, base + n);
    this.setInt(I_OUT_LEN, n - 1);
  }
  outClear(): void {
    this.setInt(I_OUT_LEN, 0);
  }

  get established(): boolean { return this.flag(ESTABLISHED); }
  set established(v: boolean) { this.setFlag(ESTABLISHED, v); }
  get amChoking(): boolean { return this.flag(AM_CHOKING); }
  set amChoking(v: boolean) { this.setFlag(AM_CHOKING, v); }
  get amInterested(): boolean { return this.flag(AM_INTERESTED); }
  set amInterested(v: boolean) { this.setFlag(AM_INTERESTED, v); }
  get peerChoking(): boolean { return this.flag(PEER_CHOKING); }
  set peerChoking(v: boolean) { this.setFlag(PEER_CHOKING, v); }
  get peerInterested(): boolean { return this.flag(PEER_INTERESTED); }
  set peerInterested(v: boolean) { this.setFlag(PEER_INTERESTED, v); }
  get inServeQueue(): boolean { return this.flag(IN_SERVE_QUEUE); }
  set inServeQueue(v: boolean) { this.setFlag(IN_SERVE_QUEUE, v); }
  get sendSeq(): number { return this.int(I_SEND_SEQ); }
  set sendSeq(v: number) { this.setInt(I_SEND_SEQ, v); }
  get recvSeq(): number { return this.int(I_RECV_SEQ); }
  set recvSeq(v: number) { this.setInt(I_RECV_SEQ, v); }
  /** Pieces the remote has told us of. */
  get remoteCount(): number { return this.int(I_REMOTE_COUNT); }
  set remoteCount(v: number) { this.setInt(I_REMOTE_COUNT, v); }
  /** Pieces the remote has that we lack (interest = wanted > 0). */
  get wanted(): number { return this.int(I_WANTED); }
  set wanted(v: number) { this.setInt(I_WANTED, v); }
  /** Super-seeding: the piece currently offered to this peer (-1 none), and its blocks sent. */
  get offered(): number { return this.int(I_OFFERED); }
  set offered(v: number) { this.setInt(I_OFFERED, v); }
  /** The piece offered before `offered`, until it is seen at another neighbour (-1 none). */
  get offeredPrev(): number { return this.int(I_OFFERED_PREV); }
  set offeredPrev(v: number) { this.setInt(I_OFFERED_PREV, v); }
  get offeredSent(): number { return this.int(I_OFFERED_SENT); }
  set offeredSent(v: number) { this.setInt(I_OFFERED_SENT, v); }
  /** Bytes received from / sent to the remote since the last rechoke (`*Window`) and in the rechoke
   * period before it (`*Rate`): the two buckets of the rolling tit-for-tat window. */
  get recvWindow(): number { return this.dbl(F_RECV_WINDOW); }
  set recvWindow(v: number) { this.setDbl(F_RECV_WINDOW, v); }
  get sentWindow(): number { return this.dbl(F_SENT_WINDOW); }
  set sentWindow(v: number) { this.setDbl(F_SENT_WINDOW, v); }
  get recvRate(): number { return this.dbl(F_RECV_RATE); }
  set recvRate(v: number) { this.setDbl(F_RECV_RATE, v); }
  get sentRate(): number { return this.dbl(F_SENT_RATE); }
  set sentRate(v: number) { this.setDbl(F_SENT_RATE, v); }
  /** Bytes received from the remote over the connection's life (a new seed remembers who gave). */
  get recvTotal(): number { return this.dbl(F_RECV_TOTAL); }
  set recvTotal(v: number) { this.setDbl(F_RECV_TOTAL, v); }
  /** When the handshake completed (virtual ms): a new connection is favoured by the optimistic unchoke. */
  get since(): number { return this.dbl(F_SINCE); }
  set since(v: number) { this.setDbl(F_SINCE, v); }
}
