import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/index.js';
import {
  Simulator,
  World,
  installChurn,
  parseChurnTrace,
  sessionCdf,
  sessionMean,
  validateChurnConfig,
  type SessionDistribution,
  type SimEvent,
} from '../../src/sim/index.js';

/** Kolmogorov-Smirnov statistic of a sample against a continuous CDF. */
function ksStatistic(sample: number[], cdf: (x: number) => number): number {
  const xs = [...sample].sort((a, b) => a - b);
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Critical value of the one-sample KS test at significance 0.001 (asymptotic). */
const ksCritical = (n: number): number => 1.949 / Math.sqrt(n);

const PEERS = 4000;

/** Online-session lengths: every peer starts online and leaves once (no `off`: it stays away). */
function onTimes(dist: SessionDistribution, seed: number): number[] {
  const sim = new Simulator({ seed });
  const world = new World(sim, { peers: PEERS, network: { latency: { model: 'constant', ms: 1 } } });
  const left = new Float64Array(PEERS).fill(-1);
  sim.feed.on((ev: SimEvent) => {
    if (ev.type === 'left') left[ev.peer] = ev.t;
  });
  installChurn(world, { on: dist });
  sim.runAll();
  expect(world.online).toBe(0);
  return Array.from(left);
}

/** Offline times: every peer starts offline and joins once (no `on`: it stays). */
function offTimes(dist: SessionDistribution, seed: number): number[] {
  const sim = new Simulator({ seed });
  const world = new World(sim, { peers: PEERS, initiallyAlive: 0 });
  const joined = new Float64Array(PEERS).fill(-1);
  sim.feed.on((ev: SimEvent) => {
    if (ev.type === 'joined') joined[ev.peer] = ev.t;
  });
  installChurn(world, { off: dist });
  sim.runAll();
  expect(world.online).toBe(PEERS);
  return Array.from(joined);
}

describe('churn session distributions (KS test, alpha = 0.001, fixed seeds)', () => {
  const cases: [string, SessionDistribution][] = [
    ['exponential', { distribution: 'exponential', meanMs: 60_000 }],
    ['pareto (scale)', { distribution: 'pareto', shape: 1.5, scaleMs: 10_000 }],
    ['pareto (mean)', { distribution: 'pareto', shape: 2.5, meanMs: 30_000 }],
    ['weibull (scale)', { distribution: 'weibull', shape: 0.5, scaleMs: 40_000 }],
    ['weibull (mean)', { distribution: 'weibull', shape: 2, meanMs: 50_000 }],
  ];
  for (const [name, dist] of cases) {
    it(`online times follow ${name}`, () => {
      const seed = 101;
      const xs = onTimes(dist, seed);
      const d = ksStatistic(xs, (x) => sessionCdf(dist, x));
      expect(d, `seed ${seed}: D=${d}`).toBeLessThan(ksCritical(xs.length));
    });
    it(`offline times follow ${name}`, () => {
      const seed = 202;
      const xs = offTimes(dist, seed);
      const d = ksStatistic(xs, (x) => sessionCdf(dist, x));
      expect(d, `seed ${seed}: D=${d}`).toBeLessThan(ksCritical(xs.length));
    });
  }

  it('the test has power: Weibull(0.5) sessions are rejected as exponential of the same mean', () => {
    const weib: SessionDistribution = { distribution: 'weibull', shape: 0.5, meanMs: 60_000 };
    const expo: SessionDistribution = { distribution: 'exponential', meanMs: 60_000 };
    expect(sessionMean(weib)).toBeCloseTo(60_000, 6);
    const xs = onTimes(weib, 7);
    expect(ksStatistic(xs, (x) => sessionCdf(expo, x))).toBeGreaterThan(5 * ksCritical(xs.length));
  });

  it('means given as meanMs come out as the sample mean (law of large numbers)', () => {
    const dist: SessionDistribution = { distribution: 'weibull', shape: 1.5, meanMs: 20_000 };
    const xs = onTimes(dist, 9);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 20_000) / 20_000).toBeLessThan(0.03);
  });
});

describe('alternating churn', () => {
  it('reaches the on/(on+off) availability and splits leaves by the graceful probability', () => {
    const sim = new Simulator({ seed: 33 });
    const world = new World(sim, { peers: 2000 });
    const graceful = [0, 0];
    sim.feed.on((ev) => {
      if (ev.type === 'left') graceful[ev.graceful ? 1 : 0]!++;
    });
    const churn = installChurn(world, {
      on: { distribution: 'exponential', meanMs: 3000 },
      off: { distribution: 'exponential', meanMs: 1000 },
      graceful: 0.3,
    });
    let sum = 0, samples = 0;
    for (let t = 20_000; t <= 100_000; t += 1000) {
      sim.runUntil(t);
      sum += world.online;
      samples++;
    }
    const availability = sum / samples / 2000;
    expect(Math.abs(availability - 0.75)).toBeLessThan(0.02);
    const total = graceful[0]! + graceful[1]!;
    expect(total).toBe(churn.stats.leaves);
    expect(churn.stats.crashes).toBe(graceful[0]);
    expect(Math.abs(graceful[1]! / total - 0.3)).toBeLessThan(0.02);
    expect(churn.stats.joins).toBeGreaterThan(30_000);
  });

  it('startMs and stopMs bound the transitions; stop() freezes the population', () => {
    const sim = new Simulator({ seed: 4 });
    const world = new World(sim, { peers: 500 });
    const times: number[] = [];
    sim.feed.on((ev) => {
      if (ev.type === 'joined' || ev.type === 'left') times.push(ev.t);
    });
    const churn = installChurn(world, {
      on: { distribution: 'constant', ms: 100 },
      off: { distribution: 'exponential', meanMs: 50 },
      startMs: 1000,
      stopMs: 5000,
    });
    sim.runUntil(10_000);
    expect(Math.min(...times)).toBe(1100); // constant sessions from startMs
    expect(Math.max(...times)).toBeLessThanOrEqual(5000);
    const before = churn.stats.joins + churn.stats.leaves;
    expect(before).toBeGreaterThan(1000);
    const sim2 = new Simulator({ seed: 4 });
    const world2 = new World(sim2, { peers: 10 });
    const c2 = installChurn(world2, { on: { distribution: 'constant', ms: 10 }, off: { distribution: 'constant', ms: 10 } });
    sim2.runUntil(35);
    const frozen = Array.from(world2.alive);
    c2.stop();
    sim2.runUntil(1000);
    expect(Array.from(world2.alive)).toEqual(frozen);
  });
});

describe('mass failure', () => {
  it('takes down exactly round(fraction * online) peers at the time, crash by default, for good', () => {
    const sim = new Simulator({ seed: 5 });
    const world = new World(sim, { peers: 1001 });
    const left: { t: number; graceful: boolean }[] = [];
    sim.feed.on((ev) => {
      if (ev.type === 'left') left.push({ t: ev.t, graceful: ev.graceful });
    });
    const churn = installChurn(world, {
      off: { distribution: 'exponential', meanMs: 10 },
      massFailures: [
        { atMs: 100, fraction: 0.5 },
        { atMs: 200, fraction: 0.2, graceful: true },
      ],
    });
    sim.runUntil(150);
    expect(world.online).toBe(1001 - 501);
    expect(left.every((l) => l.t === 100 && !l.graceful)).toBe(true);
    sim.runUntil(10_000);
    expect(world.online).toBe(500 - 100);
    expect(left.filter((l) => l.graceful)).toHaveLength(100);
    expect(churn.stats.massFailed).toBe(601);
  });

  it('with rejoin, failed peers come back after an off time', () => {
    const sim = new Simulator({ seed: 6 });
    const world = new World(sim, { peers: 400 });
    installChurn(world, {
      off: { distribution: 'constant', ms: 500 },
      massFailures: [{ atMs: 100, fraction: 1, rejoin: true }],
    });
    sim.runUntil(100);
    expect(world.online).toBe(0);
    sim.runUntil(599);
    expect(world.online).toBe(0);
    sim.runUntil(600);
    expect(world.online).toBe(400);
  });
});

describe('trace replay', () => {
  const trace = [
    '# peerId joinMs leaveMs [graceful|crash]',
    '0 0 100',
    '1 50 150 graceful   # a comment after the values',
    '',
    '0 200 inf',
    '2 10 20 crash',
  ].join('\n');

  it('reads CRLF line ends, tabs between fields and - for never leaving', () => {
    expect(parseChurnTrace('# made elsewhere\r\n3\t0\t-\r\n4  5\t9 crash\r\n')).toEqual([
      { peer: 3, joinMs: 0, leaveMs: Infinity, line: 2 },
      { peer: 4, joinMs: 5, leaveMs: 9, graceful: false, line: 3 },
    ]);
  });

  it('finds overlaps whether or not the lines are in time order', () => {
    // in time order: found in one pass, at the later session
    expect(() => parseChurnTrace('0 0 10\n1 2 4\n0 9 20')).toThrow('trace:3: session of peer 0 joining at 9 overlaps the one from 0 to 10 (line 1)');
    // out of order: found by sorting each peer's sessions
    expect(() => parseChurnTrace('0 5 20\n1 0 3\n0 0 10')).toThrow('trace:1: session of peer 0 joining at 5 overlaps the one from 0 to 10 (line 3)');
    expect(() => parseChurnTrace('0 0 10\n0 30 40\n0 20 25\n0 10 20')).not.toThrow();
    expect(() => parseChurnTrace('0 30 40\n0 0 10\n0 5 6')).toThrow('trace:3: session of peer 0 joining at 5 overlaps the one from 0 to 10 (line 2)');
    // a session starting exactly when the previous one ends is fine; one starting at the same time is not
    expect(() => parseChurnTrace('0 0 10\n0 10 20')).not.toThrow();
    expect(() => parseChurnTrace('0 0 10\n0 0 20')).toThrow('trace:2: session of peer 0 joining at 0 overlaps');
  });

  it('parses the documented format', () => {
    expect(parseChurnTrace(trace)).toEqual([
      { peer: 0, joinMs: 0, leaveMs: 100, line: 2 },
      { peer: 1, joinMs: 50, leaveMs: 150, graceful: true, line: 3 },
      { peer: 0, joinMs: 200, leaveMs: Infinity, line: 5 },
      { peer: 2, joinMs: 10, leaveMs: 20, graceful: false, line: 6 },
    ]);
  });

  it('replays sessions at their times; traced peers are offline outside their sessions', () => {
    const sim = new Simulator({ seed: 1 });
    const world = new World(sim, { peers: 4 });
    const log: string[] = [];
    sim.feed.on((ev) => {
      if (ev.type === 'joined') log.push(`${ev.t} join ${ev.peer}`);
      if (ev.type === 'left') log.push(`${ev.t} leave ${ev.peer}${ev.graceful ? ' graceful' : ''}`);
    });
    installChurn(world, { trace });
    sim.runAll();
    expect(log).toEqual([
      '0 leave 1',
      '0 leave 2',
      '10 join 2',
      '20 leave 2',
      '50 join 1',
      '100 leave 0',
      '150 leave 1 graceful',
      '200 join 0',
    ]);
    expect(Array.from(world.alive)).toEqual([1, 0, 0, 1]); // peer 3 is not in the trace: untouched
  });

  it('names the line of a malformed entry', () => {
    expect(() => parseChurnTrace('0 0 10\n1 x 5', 'sessions.txt')).toThrow('sessions.txt:2: joinMs');
    expect(() => parseChurnTrace('0 0 10\n\n-1 0 5')).toThrow('trace:3: peerId');
    expect(() => parseChurnTrace('0 0 10 maybe')).toThrow('trace:1: expected graceful or crash');
    expect(() => parseChurnTrace('0 5 5')).toThrow('trace:1: leaveMs');
    expect(() => parseChurnTrace('0 1')).toThrow('trace:1: expected "peerId joinMs leaveMs');
    expect(() => parseChurnTrace('0 0 10\n0 5 20')).toThrow(/trace:2: session of peer 0 .* overlaps .*line 1/);
    const world = new World(new Simulator({ seed: 1 }), { peers: 2 });
    expect(() => installChurn(world, { trace: '0 0 1\n7 0 1' })).toThrow('churn.trace: line 2: peer 7 is not in the world');
  });
});

describe('churn config errors name the key', () => {
  const cases: [unknown, string][] = [
    [{ on: { distribution: 'gauss', meanMs: 1 } }, 'churn.on.distribution: unknown distribution "gauss"'],
    [{ on: { distribution: 'exponential', meanMs: -5 } }, 'churn.on.meanMs: expected a number > 0, got -5'],
    [{ off: { distribution: 'weibull', shape: 0, scaleMs: 1 } }, 'churn.off.shape'],
    [{ off: { distribution: 'pareto', shape: 2 } }, 'churn.off.scaleMs: give exactly one of scaleMs or meanMs'],
    [{ on: { distribution: 'pareto', shape: 1, meanMs: 10 } }, 'churn.on.meanMs: a Pareto with shape 1 <= 1 has no finite mean'],
    [{ on: { distribution: 'exponential', meanMs: 1, scaleMs: 3 } }, 'churn.on.scaleMs: unknown key'],
    [{ graceful: 1.5 }, 'churn.graceful: expected a number in [0, 1], got 1.5'],
    [{ sesion: {} }, 'churn.sesion: unknown key'],
    [{ stopMs: 5, startMs: 10 }, 'churn.stopMs'],
    [{ massFailures: [{ atMs: 1, fraction: 2 }] }, 'churn.massFailures[0].fraction'],
    [{ massFailures: [{ atMs: 1, fraction: 0.5, rejoin: true }] }, 'churn.massFailures[0].rejoin: needs churn.off'],
    [{ trace: '0 0 1', on: { distribution: 'constant', ms: 1 } }, 'churn.trace: a trace replaces on/off'],
    [{ trace: 42 }, 'churn.trace: expected trace text'],
    ['often', 'churn: expected a mapping'],
  ];
  for (const [cfg, message] of cases)
    it(message, () => {
      let err: unknown;
      try {
        validateChurnConfig(cfg);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(message);
    });

  it('uses the given prefix and leaves the caller object alone', () => {
    expect(() => validateChurnConfig({ on: { distribution: 'x' } }, 'scenario.churn')).toThrow('scenario.churn.on.distribution');
    const cfg = { trace: '0 0 10' };
    const v = validateChurnConfig(cfg);
    expect(cfg.trace).toBe('0 0 10');
    expect(v.trace).toEqual([{ peer: 0, joinMs: 0, leaveMs: 10, line: 1 }]);
  });
});
