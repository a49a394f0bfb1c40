import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  MSG_SYNC_REPLY,
  MSG_SYNC_REQ,
  PAYLOAD_UPDATE,
  WireError,
  decodeChannel,
  decodePayload,
  encodeChannel,
  encodePayload,
} from '../../src/live/overlay/wire.js';
import { fuzz } from '../fuzz.js';

const SEED = 8128;

describe('overlay wire format', () => {
  it('round-trips sync messages and update payloads', () => {
    const doc = new Y.Doc();
    doc.getText('text').insert(0, 'hello');
    const sv = Y.encodeStateVector(doc);
    const update = Y.encodeStateAsUpdate(doc);
    expect(decodeChannel(encodeChannel({ type: MSG_SYNC_REQ, doc: 'main', stateVector: sv }))).toEqual({ type: MSG_SYNC_REQ, doc: 'main', stateVector: sv });
    expect(decodeChannel(encodeChannel({ type: MSG_SYNC_REPLY, doc: 'a/b c', update }))).toEqual({ type: MSG_SYNC_REPLY, doc: 'a/b c', update });
    const p = { kind: PAYLOAD_UPDATE, doc: 'main', origin: 2 ** 47, sentAt: 1.5e12 + 0.25, update } as const;
    expect(decodePayload(encodePayload(p))).toEqual(p);
  });

  it('rejects bad document names on both sides', () => {
    expect(() => encodeChannel({ type: MSG_SYNC_REQ, doc: '../x\n', stateVector: new Uint8Array([0]) })).toThrow(WireError);
    expect(() => encodeChannel({ type: MSG_SYNC_REQ, doc: 'x'.repeat(129), stateVector: new Uint8Array([0]) })).toThrow(WireError);
  });

  it('random bytes never decode to anything but a message or a WireError (fast-check, seeded)', () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const f of [decodeChannel, decodePayload]) {
          try {
            f(bytes);
          } catch (e) {
            if (!(e instanceof WireError)) throw e;
          }
        }
      }),
      { numRuns: 1500, fixedSeed: SEED },
    );
  });

  it('mutated valid messages are decoded or rejected with WireError, never anything else', () => {
    const doc = new Y.Doc();
    doc.getText('text').insert(0, 'some text to mutate');
    const valid = encodeChannel({ type: MSG_SYNC_REPLY, doc: 'main', update: Y.encodeStateAsUpdate(doc) });
    fuzz(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length), (at, byte, cut) => {
        const m = valid.slice(0, Math.max(1, cut));
        if (at < m.length) m[at] = byte;
        try {
          decodeChannel(m);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
        }
      }),
      { numRuns: 1500, fixedSeed: SEED },
    );
  });
});
