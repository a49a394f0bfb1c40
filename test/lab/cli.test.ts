/**
 * The lab's commands through the real `peerlab` binary in a child process: bad scenarios fail with the
 * path and leave --out alone; good runs write summary.json, CSV and report.html; the same seed gives
 * the same summary.json bytes; sweeps aggregate a grid over worker threads.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/peerlab.mjs');
const FIXTURE_DRIVERS = join(ROOT, 'test/lab/fixtures/drivers.ts');
const tmp = mkdtempSync(join(tmpdir(), 'peerlab-lab-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

export function peerlab(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const FLOOD = `name: cli flood
peers: 300
network:
  latency: { model: geo }
  loss: 0.02
protocol: { type: flood, fanout: 2 }
until: complete
observe: { snapshots: [200ms, end] }
`;

describe('peerlab run: bad scenarios', () => {
  const cases: [string, string, RegExp][] = [
    ['wrong type', 'name: x\npeers: lots\nprotocol: { type: gossip }\nuntil: 10s\n', /peers: expected a number, got "lots"/],
    ['unknown protocol', 'name: x\npeers: 10\nprotocol: { type: telepathy }\nuntil: 10s\n', /protocol\.type: unknown protocol "telepathy" \(expected one of [a-z, -]+\)/],
    ['missing key', 'name: x\nprotocol: { type: gossip }\nuntil: 10s\n', /peers: missing \(expected a number\)/],
    ['invalid YAML', 'name: x\npeers: 10\nprotocol: { type: gossip\nuntil: 10s\n', /line \d+, column \d+: /],
    ['a bad value in a section', 'name: x\npeers: 10\nprotocol: { type: gossip }\nuntil: 10s\nnetwork: { loss: 1.5 }\n', /network\.loss: expected a number <= 1, got 1\.5/],
    ['an unknown scheduler', 'name: x\npeers: 10\nprotocol: { type: bittorrent, scheduler: fastest }\nuntil: 10s\n', /protocol\.scheduler: expected one of "bittorrent", "ideal", got "fastest"/],
  ];
  for (const [what, text, message] of cases) {
    it.concurrent(`${what}: exit 2, the path in the message, nothing written`, async () => {
      const out = join(tmp, `bad-${what.replace(/\W+/g, '-')}`);
      const r = await peerlab(['run', file(`${what}.yaml`, text), '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('invalid scenario');
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(tmp).filter((n) => n.includes('partial'))).toEqual([]);
    });
  }

  it('a bad --set is reported with its path', async () => {
    const out = join(tmp, 'bad-set');
    const r = await peerlab(['run', file('flood.yaml', FLOOD), '--out', out, '--set', 'protocol.fanout=0', '--drivers-module', FIXTURE_DRIVERS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/protocol\.fanout: expected a number >= 1, got 0/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('peerlab run: results', () => {
  it('writes summary.json, CSV series and a self-contained report; same seed, same summary bytes', async () => {
    const a = join(tmp, 'run-a');
    const b = join(tmp, 'run-b');
    const c = join(tmp, 'run-c');
    const sc = file('flood.yaml', FLOOD);
    const [ra, rb, rc] = await Promise.all([
      peerlab(['run', sc, '--out', a, '--seed', '5', '--drivers-module', FIXTURE_DRIVERS]),
      peerlab(['run', sc, '--out', b, '--seed', '5', '--drivers-module', FIXTURE_DRIVERS]),
      peerlab(['run', sc, '--out', c, '--seed', '6', '--drivers-module', FIXTURE_DRIVERS]),
    ]);
    for (const r of [ra, rb, rc]) expect(r.code, r.stderr).toBe(0);
    expect(ra.stdout).toContain('cli flood: flood, 300 peers, seed 5');
    expect(readdirSync(a).sort()).toEqual(['report.html', 'samples.csv', 'series.csv', 'summary.json']);

    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual([
      'scenario', 'protocol', 'seed', 'peers', 'virtualTimeMs', 'endReason', 'events', 'messages', 'bytes', 'reached', 'timeToAllMs', 'wallMs',
    ]);
    expect(summary).toMatchObject({ scenario: 'cli flood', protocol: 'flood', seed: 5, peers: 300, endReason: 'complete', reached: 1 });
    expect(summary.virtualTimeMs as number).toBeGreaterThanOrEqual(summary.timeToAllMs as number);

    const strip = (dir: string) => readFileSync(join(dir, 'summary.json'), 'utf8').replace(/"wallMs": \d+/, '"wallMs": 0');
    expect(strip(b)).toBe(strip(a));
    expect(strip(c)).not.toBe(strip(a));
    expect(readFileSync(join(b, 'series.csv'), 'utf8')).toBe(readFileSync(join(a, 'series.csv'), 'utf8'));

    const csv = readFileSync(join(a, 'series.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('series,t_ms,value');
    const reached = csv.filter((l) => l.startsWith('reached,')).map((l) => Number(l.split(',')[2]));
    expect(reached.length).toBeGreaterThan(10);
    expect(reached[reached.length - 1]).toBe(1);
    expect(readFileSync(join(a, 'samples.csv'), 'utf8').split('\n').filter((l) => l.startsWith('deliveryMs,'))).toHaveLength(300);

    const html = readFileSync(join(a, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(6);
    expect(html).toContain('Dissemination curve');
    expect(html).toContain('Overlay at 200 ms');
    expect(html).toContain('protocol: { type: flood, fanout: 2 }'); // the scenario text
  });

  it('replaces an earlier result in --out', async () => {
    const out = join(tmp, 'rerun');
    const sc = file('flood-small.yaml', FLOOD.replace('peers: 300', 'peers: 50'));
    expect((await peerlab(['run', sc, '--out', out, '--quiet', '--drivers-module', FIXTURE_DRIVERS])).code).toBe(0);
    expect((await peerlab(['run', sc, '--out', out, '--quiet', '--set', 'peers=60', '--drivers-module', FIXTURE_DRIVERS])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).peers).toBe(60);
    expect(readdirSync(tmp).filter((n) => n.includes('partial'))).toEqual([]);
  });
});

describe('peerlab sweep', () => {
  it('runs the grid times the seeds and aggregates means with 95% CIs', async () => {
    const out = join(tmp, 'sweep');
    const sc = file('flood-sweep.yaml', FLOOD.replace('peers: 300', 'peers: 200'));
    const r = await peerlab([
      'sweep', sc, '--vary', 'protocol.fanout=1,2,4', '--vary', 'network.loss=0,0.2', '--seeds', '3', '--out', out, '--drivers-module', FIXTURE_DRIVERS,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['aggregate.csv', 'report.html', 'runs.csv', 'sweep.json']);
    const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as {
      seeds: number[];
      points: { values: Record<string, unknown>; metrics: Record<string, { mean: number; ci95: number; n: number }> }[];
      runs: Record<string, unknown>[];
    };
    expect(sweep.seeds).toEqual([1, 2, 3]);
    expect(sweep.points).toHaveLength(6);
    expect(sweep.runs).toHaveLength(18);
    // the aggregate is the mean of its runs
    for (const p of sweep.points) {
      const runs = sweep.runs.filter((x) => x['protocol.fanout'] === p.values['protocol.fanout'] && x['network.loss'] === p.values['network.loss']);
      expect(runs).toHaveLength(3);
      const mean = runs.reduce((s, x) => s + (x.messages as number), 0) / 3;
      expect(p.metrics.messages?.mean).toBeCloseTo(mean, 6);
      expect(p.metrics.messages?.n).toBe(3);
    }
    // more fanout: faster dissemination
    const time = (f: number) => sweep.points.find((p) => p.values['protocol.fanout'] === f && p.values['network.loss'] === 0)?.metrics.timeToAllMs?.mean as number;
    expect(time(4)).toBeLessThan(time(1));
    expect(readFileSync(join(out, 'aggregate.csv'), 'utf8').trim().split('\n')).toHaveLength(7);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('95% CI');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
  });

  it('a bad grid value fails before running, naming the path and the value', async () => {
    const out = join(tmp, 'sweep-bad');
    const r = await peerlab(['sweep', file('flood-sweep2.yaml', FLOOD), '--vary', 'protocol.fanout=2,0', '--out', out, '--drivers-module', FIXTURE_DRIVERS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/protocol\.fanout: expected a number >= 1, got 0 \(at --vary protocol\.fanout=0\)/);
    expect(existsSync(out)).toBe(false);
  });
});
