/**
 * Choking, as mainline does it: every `rechokeMs` (10 s) a leecher unchokes the `uploadSlots`
 * interested peers that uploaded most to it over a rolling window of two rechoke periods (~20 s,
 * mainline's rate estimate), ties broken by what they ever uploaded to it (tit-for-tat), plus one
 * optimistic unchoke rotated every `optimisticMs` (optimistic.ts). A slot freed between rechokes (a
 * partner lost interest or left) goes by the same ranking at once: with downloads of tens of seconds a
 * 10 s rechoke would waste upload, and a random pick would hand free riders a regular slot. A peer that
 * has everything ranks by `seedChoking`. Free riders unchoke nobody; `choking: none` unchokes every
 * interested peer (the baseline).
 */
import type { PeerId } from '../../../core/index.js';
import type { Conn } from '../connections/conn.js';
import type { SwarmContext } from '../context.js';
import type { SwarmPeer } from '../swarm-peer.js';
import { choke, unchoke } from '../wire/send.js';
import { pickOptimistic } from './optimistic.js';

export function unchokedCount(st: SwarmPeer): number {
  return st.unchoked;
}

/** An interested peer may take a free slot at once rather than wait for the next rechoke. */
export function maybeUnchokeNow(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  if (st.freeRider || !c.amChoking) return;
  if (sw.cfg.choking === 'none') return unchoke(sw, peer, st, c);
  if (unchokedCount(st) < sw.cfg.uploadSlots + 1) unchoke(sw, peer, st, c);
}

/**
 * Gives free unchoke slots (a partner lost interest or left) to the best interested, choked peers
 * by the same rule as a rechoke: a leecher's freed slot goes to whoever uploaded to it most
 * recently, not to a random peer, so between rechokes a free rider gets a slot only when no peer
 * that uploaded to us wants one.
 */
export function fillSlots(sw: SwarmContext, peer: PeerId, st: SwarmPeer): void {
  if (st.freeRider || sw.cfg.choking === 'none') return;
  const free = sw.cfg.uploadSlots + 1 - unchokedCount(st);
  if (free <= 0) return;
  const pool: Conn[] = [];
  for (const c of st.conns.values()) if (c.amChoking && c.peerInterested && c.established) pool.push(c);
  rankForUnchoke(sw, st, pool);
  for (let i = 0; i < free && i < pool.length; i++) unchoke(sw, peer, st, pool[i]!);
}

/** Bytes `c`'s remote uploaded to us in the last one to two rechoke periods: a rolling window of
 * two buckets (the last whole period and the current one), ~20 s with the 10 s rechoke, like
 * mainline's rate estimate. */
function recvScore(c: Conn): number {
  return c.recvRate + c.recvWindow;
}

function sentScore(c: Conn): number {
  return c.sentRate + c.sentWindow;
}

/** Orders unchoke candidates best first (random among equals): a leecher by what they uploaded to
 * it (tit-for-tat), a peer that has everything by `seedChoking`. */
export function rankForUnchoke(sw: SwarmContext, st: SwarmPeer, list: Conn[]): void {
  sw.rng.shuffle(list);
  if (st.haveCount < sw.pieces) list.sort((x, y) => recvScore(y) - recvScore(x) || y.recvTotal - x.recvTotal);
  else if (sw.cfg.seedChoking === 'fastest') list.sort((x, y) => sentScore(y) - sentScore(x));
  else list.sort((x, y) => (x.recvTotal > 0 ? 0 : 1) - (y.recvTotal > 0 ? 0 : 1) || (x.recvTotal > 0 && y.recvTotal > 0 ? x.remoteCount - y.remoteCount : 0));
}

/** Tit-for-tat: unchoke the best `uploadSlots` interested peers plus one optimistic unchoke.
 * `periodic` false: a re-pick between rechokes (a leecher just became a seed), the window stays. */
export function rechoke(sw: SwarmContext, peer: PeerId, st: SwarmPeer, periodic = true): void {
  // the rolling window moves on one bucket: the period just ended becomes the previous one
  if (periodic) for (const c of st.conns.values()) {
    c.recvRate = c.recvWindow;
    c.sentRate = c.sentWindow;
    c.recvWindow = 0;
    c.sentWindow = 0;
  }
  if (st.freeRider) return;
  if (sw.cfg.choking === 'none') {
    for (const c of st.conns.values()) if (c.peerInterested && c.established) unchoke(sw, peer, st, c);
    return;
  }
  if (periodic) st.rechokes++;
  const candidates: Conn[] = [];
  for (const c of st.conns.values()) if (c.peerInterested && c.established) candidates.push(c);
  rankForUnchoke(sw, st, candidates);
  const keep = new Set<Conn>(candidates.slice(0, sw.cfg.uploadSlots));
  const rotate = st.rechokes % Math.max(1, Math.round(sw.cfg.optimisticMs / sw.cfg.rechokeMs)) === 1 || !st.optimistic;
  if (rotate || (st.optimistic && (!st.optimistic.peerInterested || keep.has(st.optimistic)))) {
    st.optimistic = pickOptimistic(sw, candidates.filter((c) => !keep.has(c)));
  }
  if (st.optimistic && st.optimistic.open) keep.add(st.optimistic);
  for (const c of st.conns.values()) {
    if (keep.has(c)) unchoke(sw, peer, st, c);
    else if (!c.amChoking) choke(sw, peer, st, c);
  }
}
