/**
 * The values a node holds: each with its expiry, when it was last stored here (a holder skips its
 * hourly republish if someone else republished to it within the interval, as the paper suggests),
 * and whether we are its original publisher (who keeps it alive) or just a cache along a lookup path.
 */
import { toHex, type NodeId } from './id.js';

export interface StoredValue {
  key: NodeId;
  value: Uint8Array;
  expiresAt: number;
  lastStoredAt: number;
  /** We published it (we republish it until told otherwise). */
  original: boolean;
  /** Cached after a lookup (not republished). */
  cached: boolean;
}

export class ValueStore {
  private readonly map = new Map<string, StoredValue>();

  constructor(private readonly maxEntries = 65536) {}

  get size(): number {
    return this.map.size;
  }

  get(key: NodeId, now: number): StoredValue | undefined {
    if (this.map.size === 0) return undefined;
    const h = toHex(key);
    const r = this.map.get(h);
    if (r === undefined) return undefined;
    if (r.expiresAt <= now) {
      this.map.delete(h);
      return undefined;
    }
    return r;
  }

  /** Stores or refreshes a value; false if the store is full (peers are untrusted: it is bounded). */
  put(key: NodeId, value: Uint8Array, ttlMs: number, now: number, kind: 'original' | 'replica' | 'cache'): boolean {
    const h = toHex(key);
    const old = this.map.get(h);
    if (old === undefined && this.map.size >= this.maxEntries) return false;
    const expiresAt = now + ttlMs;
    if (old) {
      // a cache entry never shortens a replica's life, and never demotes it
      if (kind === 'cache' && !old.cached) return true;
      old.value = value;
      old.expiresAt = Math.max(old.expiresAt, expiresAt);
      old.lastStoredAt = now;
      old.original ||= kind === 'original';
      old.cached = kind === 'cache';
      return true;
    }
    this.map.set(h, { key, value, expiresAt, lastStoredAt: now, original: kind === 'original', cached: kind === 'cache' });
    return true;
  }

  /** Drops expired values; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const [h, r] of this.map) {
      if (r.expiresAt <= now && !r.original) {
        this.map.delete(h);
        n++;
      }
    }
    return n;
  }

  values(): IterableIterator<StoredValue> {
    return this.map.values();
  }
}
