/**
 * `peerlab bench engine` through the real binary: one JSON object on the last stdout line, the V8
 * settings of src/sim/tuning.ts applied (and reported) unless PEERLAB_V8_TUNING=0, and the same event
 * order either way (the digest): tuning the compiler must not change a run.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { V8_FLAGS } from '../../src/sim/tuning.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/peerlab.mjs');

function benchEngine(env: Record<string, string>): Promise<Record<string, unknown>> {
  const args = [BIN, 'bench', 'engine', '--json', '--events', '200000', '--pending', '2000', '--runs', '1', '--peers', '1000'];
  return new Promise((done, fail) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      if (err) return fail(new Error(`${err.message}\n${stderr}`));
      const lines = stdout.trim().split('\n');
      done(JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>);
    });
  });
}

describe('peerlab bench engine', () => {
  it('applies and reports the V8 tuning; PEERLAB_V8_TUNING=0 turns it off; same digest both ways', async () => {
    const [tuned, plain] = await Promise.all([benchEngine({}), benchEngine({ PEERLAB_V8_TUNING: '0' })]);
    expect(V8_FLAGS.length).toBeGreaterThan(0);
    expect(tuned.v8Flags).toEqual([...V8_FLAGS]);
    expect(plain.v8Flags).toEqual([]);
    expect(tuned.events).toBe(200_000);
    expect(tuned.digest).toBe(plain.digest);
    expect(tuned.eventsPerSec).toBeGreaterThan(0);
  });
});

describe('peerlab bench input', () => {
  it('a misspelt option or a bad value exits 2 naming it, and nothing runs', async () => {
    const run = (args: string[]): Promise<{ code: number; stderr: string }> =>
      new Promise((done) => {
        execFile(process.execPath, [BIN, 'bench', ...args], { cwd: ROOT, timeout: 60_000 }, (err, _stdout, stderr) =>
          done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
        );
      });
    const [typo, bad] = await Promise.all([run(['gossip', '--peer', '10']), run(['kademlia', '--lookups', 'many'])]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^peerlab bench gossip: Unknown option '--peer'/);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('peerlab bench kademlia: --lookups: expected an integer >= 0, got "many"');
  });
});
