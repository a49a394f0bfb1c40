/**
 * Benches over real networks (WebRTC on loopback) run inside a fresh loopback-only network namespace,
 * as PLATFORM.md asks of every real-network run: as root, the bench re-executes itself there (`unshare
 * -n`) and returns what the inner run printed. Only a namespace that cannot be made sends the bench
 * back here: an inner run that fails is the bench's failure, reported as such and never run again.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger } from '../core/index.js';
import { RUNNER_KEYS, type CaseContext } from './runner.js';

/** Whether this process can make a loopback-only network namespace (root, `unshare` and `ip` present). */
function canMakeNamespace(): boolean {
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/**
 * Re-runs `peerlab bench <bench>` with the same options inside `unshare -n` when root and not already
 * inside; its figures (without the runner's own keys, which the outer runner adds) and `netns: true`, or
 * null when not applicable (then the caller runs here, ICE bound to 127.0.0.1). Throws when the inner run
 * fails: its error is on stderr, and a second attempt here would report a run that was not the first.
 */
export function inNamespace(ctx: CaseContext, bench: string): Record<string, unknown> | null {
  if (process.env.PEERLAB_NETNS === '1' || typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  if (!canMakeNamespace()) {
    logger('bench').warn(`${bench}: cannot make a network namespace here; running here, ICE bound to 127.0.0.1`);
    return null;
  }
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/peerlab.mjs');
  const args = ['bench', bench, '--json', '--runs', '1', '--warmup', '0', ...ctx.argv.filter((a) => a !== '--json')];
  const cmd = `ip link set lo up && exec ${JSON.stringify(process.execPath)} ${[bin, ...args].map((a) => JSON.stringify(a)).join(' ')}`;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', cmd], {
    env: { ...process.env, PEERLAB_NETNS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0 || !r.stdout) {
    throw new Error(`bench ${bench}: the run inside its network namespace failed (${r.error?.message ?? (r.signal ? `signal ${r.signal}` : `exit ${r.status}`)}); its error is above`);
  }
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
  for (const k of RUNNER_KEYS) delete out[k];
  return { ...out, netns: true };
}
