/**
 * Sharded sweeps through the real `peerlab` binary: one sweep unsharded and as 3 shards in 3 separate
 * processes (the index from JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job gives it), merged, equal
 * to the unsharded outputs apart from wall times; then everything a merge must refuse (overlapping,
 * missing, other sweeps', other splits', damaged shards) and bad shard indices, each with its message.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_DRIVERS as DRIVERS, peerlab, SWEEP_FILES, withoutWall } from './sweep-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'peerlab-shard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SCENARIO = join(tmp, 'flood.yaml');
writeFileSync(
  SCENARIO,
  `name: shard flood
peers: 150
network:
  latency: { model: geo }
  loss: 0.02
protocol: { type: flood, fanout: 2 }
until: complete
`,
);
/** 3 x 2 grid points x 3 seeds = 18 runs, so 3 shards of 6. */
const SWEEP = ['sweep', SCENARIO, '--vary', 'protocol.fanout=1,2,4', '--vary', 'network.loss=0,0.2', '--seeds', '3', '--workers', '1', '--drivers-module', DRIVERS];
const FULL = join(tmp, 'full');
const STUDY = join(tmp, 'study');
const MERGED = join(tmp, 'merged');

describe('peerlab sweep --shards / sweep merge', () => {
  beforeAll(async () => {
    // the unsharded sweep and the three shards, each its own process, all at once as on a cluster
    const runs = await Promise.all([
      peerlab([...SWEEP, '--out', FULL]),
      ...[0, 1, 2].map((i) => peerlab([...SWEEP, '--shards', '3', '--out', STUDY], { JOB_COMPLETION_INDEX: String(i) })),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(runs[2]?.stdout).toMatch(/shard 1 of 3: 6 of 18 runs/);
  });

  it('3 shards from JOB_COMPLETION_INDEX, merged, equal the unsharded sweep apart from wall times', async () => {
    for (const i of [0, 1, 2]) expect(existsSync(join(STUDY, `shard-${i}-of-3`, 'shard.json'))).toBe(true);
    const r = await peerlab(['sweep', 'merge', STUDY, '--out', MERGED]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/merged 3 shards: 6 grid points x 3 seeds = 18 runs/);
    for (const name of SWEEP_FILES) {
      const a = readFileSync(join(FULL, name), 'utf8');
      const b = readFileSync(join(MERGED, name), 'utf8');
      expect(withoutWall(name, b), name).toBe(withoutWall(name, a));
    }
    // the aggregate carries means and confidence intervals over the 3 seeds of each point
    const agg = readFileSync(join(MERGED, 'aggregate.csv'), 'utf8').split('\n');
    expect(agg[0]).toContain('messages_ci95');
    expect(agg).toHaveLength(8);
    expect(readFileSync(join(MERGED, 'report.html'), 'utf8')).toContain('95% CI');
  });

  it('slices are the round robin of the job list: each shard holds jobs i, i+3, ...', () => {
    for (const i of [0, 1, 2]) {
      const f = JSON.parse(readFileSync(join(STUDY, `shard-${i}-of-3`, 'shard.json'), 'utf8')) as { runs: { job: number }[]; shard: unknown };
      expect(f.shard).toEqual({ index: i, count: 3 });
      expect(f.runs.map((x) => x.job)).toEqual([i, i + 3, i + 6, i + 9, i + 12, i + 15]);
    }
  });

  it('--shard I/N names the slice itself and writes the same file as the index from the environment', async () => {
    const out = join(tmp, 'explicit');
    const r = await peerlab([...SWEEP, '--shard', '1/3', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const strip = (p: string) => {
      const f = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown> & { runs: { summary: Record<string, unknown> }[] };
      for (const x of f.runs) delete x.summary.wallMs;
      delete f.wallMs;
      delete f.checksum;
      return f;
    };
    expect(strip(join(out, 'shard-1-of-3', 'shard.json'))).toEqual(strip(join(STUDY, 'shard-1-of-3', 'shard.json')));
  });

  describe('a merge refuses', () => {
    const copyStudy = (name: string): string => {
      const d = join(tmp, name);
      cpSync(STUDY, d, { recursive: true });
      return d;
    };
    const merge = (...dirs: string[]) => peerlab(['sweep', 'merge', ...dirs, '--out', join(tmp, 'never')]);

    it('a missing shard, naming the folder that has no shard.json', async () => {
      const d = copyStudy('missing');
      rmSync(join(d, 'shard-2-of-3', 'shard.json'));
      const r = await merge(d);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/missing shard 2 \(.*shard-2-of-3 has no shard\.json: the task failed or has not finished\) of 3 \(have 2\)/);
      rmSync(join(d, 'shard-2-of-3'), { recursive: true });
      expect((await merge(d)).stderr).toMatch(/missing shard 2 of 3/);
      expect(existsSync(join(tmp, 'never'))).toBe(false);
    });

    it('overlapping shards (the same slice twice from two folders)', async () => {
      const d = copyStudy('overlap');
      renameSync(join(d, 'shard-1-of-3'), join(tmp, 'extra-shard'));
      cpSync(join(STUDY, 'shard-1-of-3'), join(d, 'shard-1-of-3'), { recursive: true });
      const r = await merge(d, join(tmp, 'extra-shard'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/overlapping shards: .*shard-1-of-3\/shard\.json and .*extra-shard\/shard\.json are both shard 1 of 3/);
      // the same folder named twice (itself and through its parent) is one shard, not an overlap
      expect((await peerlab(['sweep', 'merge', STUDY, join(STUDY, 'shard-0-of-3'), '--out', join(tmp, 'twice')])).code).toBe(0);
    });

    it('shards of different sweeps, and of different splits of one sweep', async () => {
      const other = join(tmp, 'other');
      const r1 = await peerlab([...SWEEP.map((a) => (a === '3' ? '2' : a)), '--shard', '0/3', '--out', other]);
      expect(r1.code, r1.stderr).toBe(0);
      const d = copyStudy('mixed');
      rmSync(join(d, 'shard-0-of-3'), { recursive: true });
      const r = await merge(d, join(other, 'shard-0-of-3'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/shards of different sweeps: .* is sweep [0-9a-f]{12} \(.*seeds 1\.\.3\), .* is sweep [0-9a-f]{12} \(.*seeds 1\.\.2\)/);

      const split = join(tmp, 'split');
      const r2 = await peerlab([...SWEEP, '--shard', '0/2', '--out', split]);
      expect(r2.code, r2.stderr).toBe(0);
      const r3 = await merge(join(STUDY, 'shard-1-of-3'), join(split, 'shard-0-of-2'));
      expect(r3.code).toBe(2);
      expect(r3.stderr).toMatch(/shards of different splits overlap: .* is shard 1 of 3, .* is shard 0 of 2/);
    });

    it('a damaged shard file: cut short, a changed number, not a shard at all', async () => {
      const cases: [string, (t: string) => string, RegExp][] = [
        ['cut', (t) => t.slice(0, Math.floor(t.length / 2)), /damaged shard file: not JSON .* cut short/],
        ['changed', (t) => t.replace(/"messages":(\d)/, (_m, d: string) => `"messages":${(Number(d) + 1) % 10}`), /damaged shard file: checksum mismatch/],
        ['foreign', () => '{"hello": "world"}', /damaged shard file: not a peerlab sweep shard/],
        ['empty', () => '', /damaged shard file: not JSON/],
      ];
      for (const [name, damage, message] of cases) {
        const d = copyStudy(`damaged-${name}`);
        const f = join(d, 'shard-1-of-3', 'shard.json');
        writeFileSync(f, damage(readFileSync(f, 'utf8')));
        const r = await merge(d);
        expect(r.code, name).toBe(2);
        expect(r.stderr, name).toContain(f);
        expect(r.stderr, name).toMatch(message);
      }
    });

    it('folders that hold no shards', async () => {
      const r = await merge(join(tmp, 'nowhere'));
      expect(r.stderr).toMatch(/nowhere: cannot read: no such folder/);
      expect((await merge(FULL)).stderr).toMatch(/holds neither shard\.json nor shard-I-of-N folders/);
    });
  });

  describe('shard indices (the rest of the cases: shard-unit.test.ts)', () => {
    const bad: [string, string[], Record<string, string>, RegExp][] = [
      ['index not below N', ['--shard', '3/3'], {}, /--shard: index 3 is not below the shard count 3/],
      ['no index anywhere', ['--shards', '3'], {}, /--shards 3: no shard index: give --shard I\/3, or run as a task of a Kubernetes Indexed Job \(JOB_COMPLETION_INDEX\) or a Slurm job array \(SLURM_ARRAY_TASK_ID\)/],
      ['a Slurm array from 1', ['--shards', '3'], { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1' }, /numbered from 0; submit the array as --array=0-2/],
      ['both forms', ['--shard', '0/3', '--shards', '3'], {}, /not both/],
      ['an emit option without --emit', ['--shard', '0/3', '--image', 'x'], {}, /--image goes with --emit/],
    ];
    for (const [what, args, env, message] of bad)
      it.concurrent(`${what}: exit 2, nothing written`, async () => {
        const out = join(tmp, `bad-${what.replace(/\W+/g, '-')}`);
        const r = await peerlab([...SWEEP, ...args, '--out', out], env);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(existsSync(out)).toBe(false);
      });
  });
});
