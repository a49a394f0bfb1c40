import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inNamespace } from '../../src/bench/netns.js';

const canUnshare = (): boolean =>
  process.env.PEERLAB_NETNS !== '1' && process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

describe('a bench re-run inside its network namespace', () => {
  // The inner run fails on its options; before, that was taken for "no namespace here" and the bench
  // ran a second time outside, reporting that run as if it were the first.
  it.skipIf(!canUnshare())('reports a failed inner run as the failure, not as a missing namespace', () => {
    const lines: string[] = [];
    expect(() => inNamespace({ log: (l) => lines.push(l), argv: ['--peers', 'not-a-number'] }, 'sync')).toThrow(/bench sync: the run inside its network namespace failed \(exit \d+\)/);
  }, 60_000);

  it('is not applicable inside a namespace already', () => {
    const before = process.env.PEERLAB_NETNS;
    process.env.PEERLAB_NETNS = '1';
    try {
      expect(inNamespace({ log: () => undefined, argv: [] }, 'sync')).toBeNull();
    } finally {
      if (before === undefined) delete process.env.PEERLAB_NETNS;
      else process.env.PEERLAB_NETNS = before;
    }
  });
});
