import { describe, expect, it } from 'vitest';
import { runShipped, shipped } from './shipped.js';

describe('peerlab run on every shipped gossip scenario', () => {
  const files = shipped('gossip');
  it('there are gossip scenarios', () => expect(files.length).toBeGreaterThanOrEqual(5));
  for (const f of files)
    it(f, async () => {
      const s = await runShipped(f);
      expect(s.protocol).toBe('gossip');
      // every shipped gossip scenario reaches everyone it can (the partition one after healing)
      expect(s.reached).toBe(1);
    });
});
