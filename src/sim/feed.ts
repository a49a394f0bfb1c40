/**
 * The observer feed: one typed union of everything that happens in a run, for whoever watches it (the
 * determinism and keyframe tests compare runs by their event traces). Drivers measure for themselves
 * and do not read it. Emitting sites check `feed.active` first, so a run nobody watches pays one
 * predictable branch per event and allocates nothing.
 */
import type { PeerId } from '../core/ids.js';

export type DropReason = 'loss' | 'partition' | 'offline' | 'queue';

export type SimEvent =
  | { type: 'sent'; t: number; from: PeerId; to: PeerId; bytes: number; proto: number }
  | { type: 'delivered'; t: number; from: PeerId; to: PeerId; bytes: number; proto: number }
  | { type: 'dropped'; t: number; from: PeerId; to: PeerId; bytes: number; proto: number; reason: DropReason }
  | { type: 'joined'; t: number; peer: PeerId }
  | { type: 'left'; t: number; peer: PeerId; graceful: boolean }
  | { type: 'partition'; t: number; groups: number }
  | { type: 'healed'; t: number }
  | ProtocolEvent;

/**
 * Protocol-specific events (infected, lookup step, piece completed, link rewired, trust updated...).
 * `kind` names the event in the protocol's own words; `peer` is where it happened.
 */
export interface ProtocolEvent {
  type: 'protocol';
  t: number;
  proto: string;
  kind: string;
  peer: PeerId;
  data?: Record<string, unknown>;
}

export type Listener = (ev: SimEvent) => void;

export class EventFeed {
  private listeners: Listener[] = [];
  /** True while at least one listener is attached. Check before building an event object. */
  active = false;

  on(listener: Listener): () => void {
    // copy on write: a listener that unsubscribes (or subscribes) during emit does not shift the others
    this.listeners = [...this.listeners, listener];
    this.active = true;
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners = [...this.listeners.slice(0, i), ...this.listeners.slice(i + 1)];
      this.active = this.listeners.length > 0;
    };
  }

  emit(ev: SimEvent): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!(ev);
  }
}
