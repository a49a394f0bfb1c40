/**
 * Bench files and their runner: every file in resources/bench loads and declares exactly the options
 * its case takes; the one option parser converts and checks values; the runner reports the same
 * figures for every bench; and the gossip case does what its file says.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/index.js';
import { cases } from '../../src/bench/cases/index.js';
import { checkCaseOptions, loadBenchFile, type BenchFile } from '../../src/bench/file.js';
import { optionValues, runnerCounts } from '../../src/bench/options.js';
import { runBench } from '../../src/bench/runner.js';
import { fuzz } from '../fuzz.js';

const DIR = resolve(import.meta.dirname, '../../resources/bench');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const load = (name: string): BenchFile => loadBenchFile(join(DIR, `${name}.yaml`), name);

describe('bench files', () => {
  it('are the eleven benches, each naming a known case and declaring exactly its options', async () => {
    expect(files.map((f) => basename(f, '.yaml')).sort()).toEqual(['adaptive', 'bittorrent', 'dashboard', 'dashboard-graph', 'engine', 'gossip', 'hybrid', 'kademlia', 'live-record', 'sync', 'sync-sim']);
    for (const f of files) {
      const file = load(basename(f, '.yaml'));
      const loadCase = cases[file.case];
      expect(loadCase, `${f}: case ${file.case}`).toBeDefined();
      checkCaseOptions(file, (await loadCase!()).options);
      // every default passes the file's own bounds (the loader checks it; the runner relies on it)
      expect(optionValues(file, {}).problems).toEqual([]);
    }
  });

  it('refuses a file that declares an option its case does not take, or with another type', () => {
    const file = load('gossip');
    expect(() => checkCaseOptions({ ...file, options: { ...file.options, extra: { type: 'int', doc: 'x' } } }, { ...Object.fromEntries(Object.entries(file.options).map(([k, o]) => [k, o.type])) })).toThrow(
      /options\.extra: case gossip-broadcast takes no such option/,
    );
    expect(() => checkCaseOptions(file, { ...Object.fromEntries(Object.entries(file.options).map(([k, o]) => [k, o.type])), peers: 'number' })).toThrow(/options\.peers\.type: case gossip-broadcast takes number, the file says int/);
  });
});

describe('options', () => {
  const file = load('hybrid');

  it('take the file defaults, camelCased, and the command line over them', () => {
    const { values, problems } = optionValues(file, { peers: '200', 'file-size': '1048576', tracker: true, params: '{"pieceDiscovery":false}' });
    expect(problems).toEqual([]);
    expect(values).toMatchObject({ peers: 200, fileSize: 1048576, pieceLength: 262144, tracker: true, params: { pieceDiscovery: false }, seed: 1 });
    expect(optionValues(file, {}).values.tracker).toBe(false);
  });

  it('say what is wrong with a value, quoting it as typed', () => {
    expect(optionValues(file, { peers: 'many', up: '-1', params: '[1]' }).problems).toEqual([
      '--peers: expected an integer in [1, 16777214], got "many"',
      '--up: expected a number >= 1, got "-1"',
      '--params: expected an object such as {"a":1}, got "[1]"',
    ]);
    expect(optionValues(load('gossip'), { variant: 'shout' }).problems).toEqual(['--variant: expected one of push, pull, push-pull, plumtree, got "shout"']);
    expect(runnerCounts(file, { runs: '0' }).problems).toEqual(['--runs: expected an integer in [1, 1000], got "0"']);
  });
});

describe('runner', () => {
  it('runs the gossip case as its file says and adds the figures every bench reports', async () => {
    const file = load('gossip');
    const benchCase = await cases[file.case]!();
    const { values } = optionValues(file, { peers: '5000', seed: '3' });
    const r = await runBench(file, benchCase, values, { runs: 3, warmup: 0 });
    expect(r).toMatchObject({ bench: 'gossip', peers: 5000, reached: 1, variant: 'push', transport: 'network', runs: 3, benchFile: 'resources/bench/gossip.yaml' });
    // every payload message is one delivery event (plus round ticks and the broadcast)
    expect(r.events as number).toBeGreaterThan((r.messagesPerPeer as number) * 5000 * 0.99);
    expect(Math.abs((r.roundsToAll as number) - (r.theoryRounds as number))).toBeLessThan(4);
    expect(r.runsWallMs).toHaveLength(3);
    expect(r.runsEventsPerSec).toHaveLength(3);
    // a seeded run is the same every time: the medians of its counts are the counts
    expect((r.medians as Record<string, number>).events).toBe(r.events);
    expect(r.peakRssMB as number).toBeGreaterThan(10);
    expect(r.loadAvg).toHaveLength(3);
    expect(Array.isArray(r.v8Flags)).toBe(true);
  });
});

describe('bench input from anyone', () => {
  it('any option text gives a value within the declared bounds or a problem naming the option; never a throw', () => {
    const file = load('bittorrent');
    const names = Object.keys(file.options);
    fuzz(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('1', '-1', '1e400', '0x10', ' 7 ', 'NaN', '{}', '{"a":1}', '[1]')), { maxKeys: 4 }), (given) => {
        const { values, problems } = optionValues(file, given);
        for (const [name, raw] of Object.entries(given)) {
          const bad = problems.find((p) => p.startsWith(`--${name}: `));
          const o = file.options[name]!;
          const v = values[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
          if (bad) expect(bad).toContain(JSON.stringify(raw));
          else if (o.type === 'int' || o.type === 'number') {
            expect(typeof v).toBe('number');
            expect(v as number).toBeGreaterThanOrEqual(o.min ?? -Infinity);
            expect(v as number).toBeLessThanOrEqual(o.max ?? Infinity);
            if (o.type === 'int') expect(Number.isSafeInteger(v)).toBe(true);
          } else if (o.type === 'json') expect(typeof v).toBe('object');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a bench file of any shape loads or fails with a ConfigError naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peerlab-bench-'));
    const path = join(dir, 'x.yaml');
    try {
      fuzz(
        fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))), (text) => {
          writeFileSync(path, text);
          try {
            loadBenchFile(path, 'x');
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            expect((e as ConfigError).key.startsWith(path)).toBe(true);
          }
        }),
        { numRuns: 200 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
