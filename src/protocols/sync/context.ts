/**
 * The sync peer's clock, randomness and timers, and how its parts share them: each part (the Kademlia
 * node, the dissemination core, ...) gets a `PeerContext` whose timer tags live in a range of their
 * own, so one timer callback on the peer can hand each timer back to the part that set it.
 */
import type { PeerContext, PeerId, Rng, TimerId } from '../../core/index.js';

/** What a host gives a sync peer: a PeerContext without `send` (frames go through SyncHost.send). */
export interface SyncContext {
  readonly id: PeerId;
  readonly rng: Rng;
  now(): number;
  setTimer(delayMs: number, tag: number, data?: unknown): TimerId;
  cancelTimer(id: TimerId): boolean;
  emit(kind: string, data?: Record<string, unknown>): void;
}

/** Timer tag ranges of the parts (a part's own tags are 0..TAG_SPAN-1). */
export const TAG_SPAN = 16;
export const TAGS_PEER = 0;
export const TAGS_KAD = 16;
export const TAGS_DISCOVERY = 32;
export const TAGS_GOSSIP = 48;
export const TAGS_TRUST = 64;

/** A PeerContext for one part: timers offset into its tag range, messages handed to `send`. */
export function partContext<M>(ctx: SyncContext, base: number, send: (to: PeerId, msg: M, bytes: number) => void): PeerContext<M> {
  return {
    id: ctx.id,
    rng: ctx.rng,
    now: () => ctx.now(),
    send,
    setTimer: (delay, tag, data) => {
      if (!(tag >= 0 && tag < TAG_SPAN)) throw new RangeError(`timer tag ${tag} outside the part's range [0, ${TAG_SPAN})`);
      return ctx.setTimer(delay, base + tag, data);
    },
    cancelTimer: (id) => ctx.cancelTimer(id),
    emit: (kind, data) => ctx.emit(kind, data),
  };
}
