/**
 * The signaling server's message reader (src/live/signaling/frame.ts) under random input (test/fuzz.ts):
 * it never throws; whatever it accepts is a y-webrtc message whose forwarding (JSON.stringify) cannot
 * fail; its depth check agrees with the parsed value's real depth.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAME_LIMITS, jsonTooDeep, readFrame } from '../../src/live/signaling/frame.js';
import { fuzz } from '../fuzz.js';

function depth(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth));
  if (v !== null && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depth));
  return 0;
}

const frameLike = fc.oneof(
  fc.record({ type: fc.constantFrom('subscribe', 'unsubscribe'), topics: fc.oneof(fc.array(fc.string({ maxLength: 600 }), { maxLength: 300 }), fc.anything()) }),
  fc.record({ type: fc.constant('publish'), topic: fc.oneof(fc.string({ maxLength: 600 }), fc.anything()), data: fc.jsonValue({ maxDepth: 40 }) }),
  fc.record({ type: fc.constantFrom('ping', 'pong', 'x', '__proto__') }),
  fc.jsonValue({ maxDepth: 40 }),
);

describe('signaling frames under random input', () => {
  it('random text and JSON: never throws; accepted publishes re-serialize; the depth bound holds', () => {
    fuzz(
      fc.property(fc.oneof(frameLike.map((v) => JSON.stringify(v)), fc.string({ maxLength: 300 }), fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', '1') })), (text) => {
        const f = readFrame(text);
        if ('error' in f) return;
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new Error(`accepted text that is not JSON: ${text.slice(0, 80)}`);
        }
        expect(depth(parsed)).toBeLessThanOrEqual(DEFAULT_FRAME_LIMITS.maxDepth);
        if (f.type === 'publish') {
          expect(typeof f.topic).toBe('string');
          expect(f.topic.length).toBeLessThanOrEqual(DEFAULT_FRAME_LIMITS.maxTopicLength);
          expect(() => JSON.stringify({ ...f.message, clients: 3 })).not.toThrow();
        }
        if (f.type === 'subscribe' || f.type === 'unsubscribe') {
          expect(f.topics.length).toBeLessThanOrEqual(DEFAULT_FRAME_LIMITS.maxTopics);
          for (const t of f.topics) expect(typeof t === 'string' && t.length <= DEFAULT_FRAME_LIMITS.maxTopicLength).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('jsonTooDeep counts only brackets outside strings, exactly', () => {
    fuzz(
      fc.property(fc.jsonValue({ maxDepth: 50 }), fc.integer({ min: 0, max: 60 }), (v, max) => {
        expect(jsonTooDeep(JSON.stringify(v), max)).toBe(depth(v) > max);
      }),
      { numRuns: 500 },
    );
  });

  it('6,000 levels are refused before parsing; 32 pass', () => {
    expect(readFrame(`{"type":"publish","topic":"r","data":${'['.repeat(6000)}${']'.repeat(6000)}}`)).toEqual({ error: 'nested deeper than 32' });
    const ok = readFrame(`{"type":"publish","topic":"r","data":${'['.repeat(31)}${']'.repeat(31)}}`);
    expect('error' in ok).toBe(false);
    expect(readFrame('"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["')).toEqual({ error: 'message is not an object' });
  });
});
