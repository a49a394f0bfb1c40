/**
 * The anti-entropy digest kept from transactions (docs.ts applyTo) against the definition it stands
 * for: two replicas' digests are equal exactly when their state vectors, delete sets and waiting
 * (pending) updates are, and a digest kept update by update equals the one computed from the whole
 * document. Replicas get seeded random edits (inserts, deletes, nested types that are deleted and so
 * collected as GC structs) and each other's updates in random order, some only through a sync diff.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyTo, digestOf, newDocState, type DocState } from '../../../src/protocols/sync/docs.js';
import { fuzz } from '../../fuzz.js';

/** What the digest must tell apart: the state Yjs would encode against the replica's own state vector. */
function fullState(doc: Y.Doc): string {
  const sv = Y.encodeStateVector(doc);
  return Buffer.from(sv).toString('hex') + '/' + Buffer.from(Y.encodeStateAsUpdate(doc, sv)).toString('hex');
}

type Op = { kind: 'edit'; who: number; at: number; del: boolean; n: number; nested: boolean } | { kind: 'send'; from: number; to: number; diff: boolean; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('edit' as const), who: fc.nat(3), at: fc.nat(1000), del: fc.boolean(), n: fc.integer({ min: 1, max: 4 }), nested: fc.boolean() }),
  fc.record({ kind: fc.constant('send' as const), from: fc.nat(3), to: fc.nat(3), diff: fc.boolean(), pick: fc.nat() }),
);

function run(ops: Op[]): DocState[] {
  const ds = [0, 1, 2, 3].map((i) => {
    const doc = new Y.Doc();
    doc.clientID = i + 1;
    return newDocState('text', doc);
  });
  // every update a replica made, in order: a send hands over one of them, maybe out of order (a gap)
  const made: Uint8Array[][] = [[], [], [], []];
  ds.forEach((d, i) => d.doc.on('update', (u: Uint8Array, origin: unknown) => origin === undefined || origin === null ? made[i]!.push(u) : undefined));
  let k = 0;
  for (const o of ops) {
    if (o.kind === 'edit') {
      const d = ds[o.who]!;
      const text = d.doc.getText('text');
      const arr = d.doc.getArray<Y.Map<number>>('list');
      if (o.nested) {
        // a nested type, deleted again later: its children then arrive elsewhere as GC structs
        if (o.del && arr.length > 0) arr.delete(o.at % arr.length, 1);
        else {
          const m = new Y.Map<number>();
          arr.insert(0, [m]);
          m.set('x', o.n);
        }
      } else if (o.del && text.length > 0) {
        const at = o.at % text.length;
        text.delete(at, Math.min(o.n, text.length - at));
      } else text.insert(o.at % (text.length + 1), 'abcd'.slice(0, o.n));
      // a local edit: the peer marks the digest to be computed again
      d.dirty = true;
    } else if (o.from !== o.to) {
      const from = ds[o.from]!;
      const to = ds[o.to]!;
      if (o.diff) applyTo(to, Y.encodeStateAsUpdate(from.doc, Y.encodeStateVector(to.doc)), (k++ & 1) === 0);
      else {
        const list = made[o.from]!;
        if (list.length > 0) applyTo(to, list[o.pick % list.length]!, false);
      }
    }
  }
  return ds;
}

describe('anti-entropy digest', () => {
  it('equal exactly when the encoded states are; kept = computed from the whole document', () => {
    fuzz(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const ds = run(ops);
        const kept = ds.map((d) => digestOf(d).join(':'));
        const states = ds.map((d) => fullState(d.doc));
        for (let i = 0; i < ds.length; i++) {
          for (let j = 0; j < ds.length; j++) expect(kept[i] === kept[j]).toBe(states[i] === states[j]);
          ds[i]!.dirty = true;
          expect(digestOf(ds[i]!).join(':')).toBe(kept[i]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
