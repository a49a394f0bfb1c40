import { describe, expect, it } from 'vitest';
import { runShipped, shipped } from './shipped.js';

describe('peerlab run on every shipped kademlia, bittorrent, adaptive, hybrid and sync scenario', () => {
  const files = shipped().filter((f) => !f.startsWith('gossip'));
  it('covers kademlia and bittorrent', () => {
    expect(files.some((f) => f.startsWith('kademlia'))).toBe(true);
    expect(files.some((f) => f.startsWith('bittorrent'))).toBe(true);
  });
  for (const f of files)
    it(f, async () => {
      const s = await runShipped(f);
      if (s.protocol === 'kademlia') expect(s.successRate as number).toBeGreaterThan(0.9);
      if (s.protocol === 'bittorrent') expect(s.completed as number).toBeGreaterThan(0.9);
      if (s.protocol === 'sync') expect(s.converged).toBe(true);
    });
});
