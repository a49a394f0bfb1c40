// The scenario editor marks each problem lab.validate names on the line its path is written on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/host/lab/lab.js';
import { lineOf, locate, splitPath } from '../../renderer/src/editor/locate.js';

const scenariosDir = join(process.cwd(), 'resources/scenarios');
const gossip = readFileSync(join(scenariosDir, 'gossip-small.yaml'), 'utf8');
const lineNo = (needle: string): number => gossip.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('locate', () => {
  it('splits dotted paths with indices', () => {
    expect(splitPath('observe.snapshots[1]')).toEqual(['observe', 'snapshots', 1]);
    expect(splitPath('')).toEqual([]);
  });

  it('finds nested keys, sequence items, and the parent of a missing key', () => {
    expect(lineOf(gossip, 'protocol.fanout')).toBe(lineNo('fanout: 1'));
    expect(lineOf(gossip, 'peers')).toBe(lineNo('peers: 200'));
    expect(lineOf(gossip, 'network.latency.baseMs')).toBe(lineNo('latency:')); // a flow map on one line
    expect(lineOf(gossip, 'workload.nope')).toBe(lineNo('workload:'));
    expect(lineOf(gossip, 'nothing.here')).toBeNull();
    expect(lineOf('a: [', '', 'line 1, column 5: Flow sequence ...')).toBe(1);
  });

  it('places the real validator issues of an edited scenario on their lines', () => {
    const lab = new Lab({ scenariosDir, emit: () => undefined, autoTick: false, now: () => 0, keyframes: false });
    try {
      const bad = gossip.replace('fanout: 1', 'fanout: -2').replace('roundMs: 200', 'roundMs: 200\n  flavour: mint');
      const r = lab.validate(bad);
      expect(r.ok).toBe(false);
      const located = locate(bad, r.issues);
      expect(located.length).toBeGreaterThan(0);
      const lines = bad.split('\n');
      for (const i of located) {
        expect(i.line, `${i.path}: ${i.message}`).not.toBeNull();
        const leaf = String(i.path.split('.').pop());
        expect(lines[i.line! - 1], i.path).toContain(leaf);
      }
      expect(lab.validate(gossip)).toEqual({ ok: true, issues: [] });
    } finally {
      lab.close();
    }
  });
});
