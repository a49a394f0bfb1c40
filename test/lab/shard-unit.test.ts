/**
 * The pieces of sharding in process: slices partition the job list for any sizes, `--shard I/N` and the
 * batch engines' index variables are read strictly, and a shard file survives no change at all: every
 * random corruption of a valid file (fast-check, seeded) is refused as a ShardError naming the file,
 * never accepted, never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseShardFile,
  parseShardSpec,
  shardFileText,
  shardFolder,
  shardFromEnv,
  shardJobs,
  ShardError,
  sweepIdentity,
  type ShardFile,
  type ShardPlan,
} from '../../src/lab/shard.js';
import { fuzz } from '../fuzz.js';

const SEED = 0x19_5a4d;

describe('slices', () => {
  it(`the N slices of any job list are disjoint, in order, and cover it (fixed seed ${SEED} and a fresh one)`, () => {
    fuzz(
      fc.property(fc.nat(500), fc.integer({ min: 1, max: 64 }), (total, n) => {
        const seen = new Array<number>(total).fill(0);
        let biggest = 0;
        let smallest = Infinity;
        for (let i = 0; i < n; i++) {
          const s = shardJobs(total, i, n);
          expect([...s].sort((a, b) => a - b)).toEqual(s);
          for (const j of s) seen[j] = seen[j]! + 1;
          biggest = Math.max(biggest, s.length);
          smallest = Math.min(smallest, s.length);
        }
        expect(seen.every((c) => c === 1)).toBe(true);
        // balanced: slice sizes differ by at most one run
        expect(biggest - smallest).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300, fixedSeed: SEED },
    );
  });

  it('folder names sort in index order', () => {
    expect(shardFolder({ index: 3, count: 4 })).toBe('shard-3-of-4');
    expect(shardFolder({ index: 3, count: 11 })).toBe('shard-03-of-11');
    expect(shardFolder({ index: 0, count: 1 })).toBe('shard-0-of-1');
    const names = Array.from({ length: 120 }, (_, i) => shardFolder({ index: i, count: 120 }));
    expect([...names].sort()).toEqual(names);
  });
});

describe('--shard I/N', () => {
  it('reads I/N with spaces, refuses everything else', () => {
    expect(parseShardSpec('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShardSpec(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    for (const [t, m] of [
      ['5/5', /index 5 is not below the shard count 5/],
      ['1/0', /N: expected an integer in \[1, 1000000\], got "0"/],
      ['-1/3', /expected I\/N/],
      ['1.5/3', /expected I\/N/],
      ['1/3/4', /expected I\/N/],
      ['', /expected I\/N/],
      ['0/99999999', /expected I\/N/],
      ['0/2000000', /N: expected an integer in \[1, 1000000\]/],
    ] as const)
      expect(() => parseShardSpec(t), t).toThrow(m);
  });

  it(`any text either reads as 0 <= I < N or throws a ShardError (fixed seed ${SEED} and a fresh one)`, () => {
    fuzz(
      fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.tuple(fc.integer({ min: -5, max: 50 }), fc.integer({ min: -5, max: 50 })).map(([a, b]) => `${a}/${b}`)), (t) => {
        try {
          const s = parseShardSpec(t);
          expect(s.index).toBeGreaterThanOrEqual(0);
          expect(s.index).toBeLessThan(s.count);
        } catch (e) {
          expect(e).toBeInstanceOf(ShardError);
        }
      }),
      { numRuns: 500, fixedSeed: SEED },
    );
  });
});

describe('the shard index from a batch engine', () => {
  it('JOB_COMPLETION_INDEX and SLURM_ARRAY_TASK_ID', () => {
    expect(shardFromEnv(4, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4, from: 'JOB_COMPLETION_INDEX' });
    expect(shardFromEnv(4, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 0, count: 4, from: 'SLURM_ARRAY_TASK_ID' });
    expect(shardFromEnv(4, { JOB_COMPLETION_INDEX: '2', SLURM_ARRAY_TASK_ID: '2' }).index).toBe(2);
    // an empty variable is an unset one
    expect(shardFromEnv(4, { JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: '1' }).index).toBe(1);
  });

  it('refuses what would run a wrong or repeated slice', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /no shard index/],
      [{ JOB_COMPLETION_INDEX: '4' }, /JOB_COMPLETION_INDEX=4 is not below --shards 4/],
      [{ JOB_COMPLETION_INDEX: '-1' }, /expected a shard index, an integer in \[0, 3\]/],
      [{ SLURM_ARRAY_TASK_ID: 'x' }, /SLURM_ARRAY_TASK_ID="x": expected a shard index/],
      [{ JOB_COMPLETION_INDEX: '1', SLURM_ARRAY_TASK_ID: '2' }, /JOB_COMPLETION_INDEX=1 and SLURM_ARRAY_TASK_ID=2 disagree/],
      [{ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1' }, /numbered from 0; submit the array as --array=0-3/],
      [{ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '5' }, /SLURM_ARRAY_TASK_COUNT=5 but --shards 4/],
    ];
    for (const [env, m] of cases) expect(() => shardFromEnv(4, env), JSON.stringify(env)).toThrow(m);
  });
});

describe('shard files', () => {
  const plan: ShardPlan = {
    scenario: 'unit',
    protocol: 'flood',
    source: 'unit.yaml',
    text: 'name: unit\npeers: 10\nprotocol: { type: flood }\nuntil: complete\n',
    vary: [{ key: 'protocol.fanout', texts: ['1', '2'] }],
    seeds: [1, 2, 3],
    set: ['peers=12'],
    driversModule: null,
  };
  const body: Omit<ShardFile, 'checksum'> = {
    format: 'peerlab-sweep-shard',
    version: 1,
    sweep: sweepIdentity(plan),
    code: 'c'.repeat(64),
    shard: { index: 1, count: 2 },
    jobs: 6,
    plan,
    runs: [1, 3, 5].map((job) => ({ job, summary: { scenario: 'unit', seed: job, messages: 100 + job, reached: 0.75, timeToAllMs: null, done: true, wallMs: 3 } })),
    wallMs: 12,
    node: '20.0.0',
  };
  const good = shardFileText(body);

  it('a written file reads back as written', () => {
    const f = parseShardFile(good, 'x/shard.json');
    expect(f.runs.map((r) => r.job)).toEqual([1, 3, 5]);
    expect(f.runs[1]?.summary.messages).toBe(103);
  });

  it('a sealed file whose content contradicts itself is still refused', () => {
    const reseal = (change: (b: Record<string, unknown>) => void): string => {
      const b = structuredClone(body) as unknown as Record<string, unknown>;
      change(b);
      return shardFileText(b as unknown as Omit<ShardFile, 'checksum'>);
    };
    const cases: [string, RegExp][] = [
      [reseal((b) => (b.runs as unknown[]).pop()), /runs: expected 3 runs for shard 1 of 2, found 2/],
      [reseal((b) => ((b.runs as { job: number }[])[0] = { ...(b.runs as { job: number }[])[0], job: 0 } as never)), /runs\[0\]: expected job 1/],
      [reseal((b) => (b.jobs = 7)), /jobs: 7, but the plan has 2 grid points x 3 seeds/],
      [reseal((b) => ((b.plan as ShardPlan).seeds = [1, 2, 4])), /sweep identity does not match its plan/],
      [reseal((b) => (b.shard = { index: 2, count: 2 })), /shard: expected \{ index, count \}/],
      [reseal((b) => ((b.runs as { summary: unknown }[])[0]!.summary = { x: [1] })), /runs\[0\]\.summary: expected an object of numbers/],
      [reseal((b) => (b.version = 2)), /format version 2, this peerlab reads version 1/],
    ];
    for (const [text, m] of cases) expect(() => parseShardFile(text, 'f.json')).toThrow(m);
  });

  it(`every random corruption of a valid file is refused with a ShardError naming it (fixed seed ${SEED} and a fresh one)`, () => {
    const bytes = Buffer.from(good);
    const edit = fc.oneof(
      // overwrite one byte
      fc.tuple(fc.constant('set' as const), fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })),
      // cut the file
      fc.tuple(fc.constant('cut' as const), fc.nat(bytes.length - 1), fc.constant(0)),
      // delete one byte
      fc.tuple(fc.constant('del' as const), fc.nat(bytes.length - 1), fc.constant(0)),
      // insert one byte
      fc.tuple(fc.constant('ins' as const), fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })),
    );
    fuzz(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let b = Buffer.from(bytes);
        for (const [op, at, v] of edits) {
          const i = Math.min(at, b.length - 1);
          if (op === 'set') b[i] = v;
          else if (op === 'cut') b = b.subarray(0, i);
          else if (op === 'del') b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
          else b = Buffer.concat([b.subarray(0, i), Buffer.from([v]), b.subarray(i)]);
          if (b.length === 0) break;
        }
        const text = b.toString('utf8');
        // an edit that changed nothing but white space outside strings, or wrote a byte back, may still read
        let parsed: ShardFile | null = null;
        try {
          parsed = parseShardFile(text, 'dir/shard.json');
        } catch (e) {
          expect(e).toBeInstanceOf(ShardError);
          expect((e as Error).message).toMatch(/^dir\/shard\.json: damaged shard file: /);
          return;
        }
        expect(JSON.stringify(parsed)).toBe(JSON.stringify(JSON.parse(good)));
      }),
      { numRuns: 1000, fixedSeed: SEED },
    );
  });
});
