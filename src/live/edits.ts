/**
 * Random editing, shared by tests, the bench and the "type" command of Node peers: word inserts and
 * short deletes at random places, from a seeded Rng. With `stamp`, each edit also appends
 * [origin, seq, wallMs] to the doc's Y.Array 'stamps' in the same transaction, so every receiver can
 * measure each edit's arrival latency the same way in every sync mode.
 */
import * as Y from 'yjs';
import type { Rng } from '../core/index.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export function randomEdit(doc: Y.Doc, rng: Rng, origin: number, seq: number, stamp: boolean, nowMs: () => number): void {
  const text = doc.getText('text');
  doc.transact(() => {
    if (text.length > 8 && rng.float() < 0.25) {
      const at = rng.int(text.length);
      text.delete(at, Math.min(1 + rng.int(3), text.length - at));
    } else {
      let w = '';
      const n = 1 + rng.int(5);
      for (let i = 0; i < n; i++) w += LETTERS[rng.int(26)];
      text.insert(rng.int(text.length + 1), `${w} `);
    }
    if (stamp) doc.getArray<number[]>('stamps').push([[origin, seq, nowMs()]]);
  });
}

/** The stamps a replica holds, as 'origin:seq:wallMs' (each names one edit: its update carried the stamp). */
export function stampKeys(doc: Y.Doc): string[] {
  return doc
    .getArray<unknown>('stamps')
    .toArray()
    .map((s) => (Array.isArray(s) ? s.join(':') : String(s)));
}

/** Records, for each stamped edit from another peer, how long it took to arrive here. */
export function observeStamps(doc: Y.Doc, nowMs: () => number, sink: (origin: number, latencyMs: number) => void): () => void {
  const arr = doc.getArray<number[]>('stamps');
  const f = (ev: Y.YArrayEvent<number[]>, tr: Y.Transaction) => {
    if (tr.local) return;
    const t = nowMs();
    for (const d of ev.changes.delta) {
      if (!d.insert) continue;
      for (const s of d.insert as unknown[]) {
        if (Array.isArray(s) && typeof s[0] === 'number' && typeof s[2] === 'number') sink(s[0], Math.max(0, t - s[2]));
      }
    }
  };
  arr.observe(f);
  return () => arr.unobserve(f);
}
