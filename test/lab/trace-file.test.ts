/**
 * `churn.traceFile`: a session trace read from a file next to the scenario. Covers path resolution
 * (relative to the scenario file, not the working directory; never outside its folder), located errors, the replay itself on the
 * world, and every loader that re-reads a scenario (run, sweep planning, the sweep worker, LabHost).
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as run } from '../../src/cli/run.js';
import { Lab } from '../../src/host/lab/lab.js';
import { loadScenarioFile, scenarioFromText } from '../../src/lab/load.js';
import { ScenarioError, parseScenario } from '../../src/lab/scenario.js';
import { createSession } from '../../src/lab/session.js';
import { planSweep, parseVary } from '../../src/lab/sweep.js';
import { runJob } from '../../src/lab/worker.js';
import type { ProtocolDriver } from '../../src/protocols/driver.js';
import { floodDriver } from './fixtures/flood.js';

const drivers: Record<string, ProtocolDriver> = { flood: floodDriver as ProtocolDriver };
const DRIVERS_MODULE = join(import.meta.dirname, 'fixtures', 'drivers.ts');

const TRACE = `# peer join leave [graceful|crash]
0 0 1000 graceful
1 500 2000        # joins late, crashes by default probability 0
2 0 inf
1 3000 4000 crash
3 1500 -
`;

function scenarioYaml(churn: string, peers = 6): string {
  return `name: traced flood
seed: 3
peers: ${peers}
churn:
${churn}
protocol: { type: flood, fanout: 2 }
until: 5s
observe: { sampleEvery: 100ms }
`;
}

/** A temp folder with `sub/s.yaml` and `sub/traces/t.txt`; returns the paths. */
function layout(trace = TRACE, churn = '  traceFile: traces/t.txt', peers = 6): { dir: string; scenario: string; trace: string } {
  const dir = mkdtempSync(join(tmpdir(), 'peerlab-trace-'));
  mkdirSync(join(dir, 'sub', 'traces'), { recursive: true });
  const tracePath = join(dir, 'sub', 'traces', 't.txt');
  writeFileSync(tracePath, trace);
  const scenario = join(dir, 'sub', 's.yaml');
  writeFileSync(scenario, scenarioYaml(churn, peers));
  return { dir, scenario, trace: tracePath };
}

async function loadError(path: string): Promise<ScenarioError> {
  try {
    await loadScenarioFile(path, { drivers });
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected a ScenarioError');
}

describe('churn.traceFile: where the file is found', () => {
  it('resolves a relative path against the scenario file, not the working directory', async () => {
    const { scenario } = layout();
    expect(process.cwd()).not.toBe(join(scenario, '..'));
    const s = await loadScenarioFile(scenario, { drivers });
    expect(s.churn?.trace).toEqual([
      { peer: 0, joinMs: 0, leaveMs: 1000, graceful: true, line: 2 },
      { peer: 1, joinMs: 500, leaveMs: 2000, line: 3 },
      { peer: 2, joinMs: 0, leaveMs: Infinity, line: 4 },
      { peer: 1, joinMs: 3000, leaveMs: 4000, graceful: false, line: 5 },
      { peer: 3, joinMs: 1500, leaveMs: Infinity, line: 6 },
    ]);
    // the engine gets sessions only: the key it does not know is gone, the raw document keeps it
    expect(s.churn).not.toHaveProperty('traceFile');
    expect((s.raw.churn as Record<string, unknown>).traceFile).toBe('traces/t.txt');
  });

  it('takes an absolute path or ../ only while it stays in the scenario folder', async () => {
    const { dir, trace } = layout();
    writeFileSync(join(dir, 'sub', 'abs.yaml'), scenarioYaml(`  traceFile: ${JSON.stringify(trace)}`));
    expect((await loadScenarioFile(join(dir, 'sub', 'abs.yaml'), { drivers })).churn?.trace).toHaveLength(5);
    writeFileSync(join(dir, 'sub', 'updown.yaml'), scenarioYaml('  traceFile: traces/../traces/t.txt'));
    expect((await loadScenarioFile(join(dir, 'sub', 'updown.yaml'), { drivers })).churn?.trace).toHaveLength(5);
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'other', 'up.yaml'), scenarioYaml('  traceFile: ../sub/traces/t.txt'));
    expect((await loadError(join(dir, 'other', 'up.yaml'))).message).toBe(
      `churn.traceFile: "../sub/traces/t.txt" is outside the scenario's folder: a trace file must be in the folder of its scenario or below it`,
    );
  });

  it('never reads outside the scenario folder, so no error can show a byte of another file', async () => {
    const { dir } = layout();
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'TOPSECRET=1 2 3\n');
    symlinkSync(secret, join(dir, 'sub', 'traces', 'link.txt'));
    for (const tf of ['/proc/self/environ', '/etc/shadow', '../../../../../../etc/passwd', secret, 'traces/link.txt']) {
      writeFileSync(join(dir, 'sub', 'evil.yaml'), scenarioYaml(`  traceFile: ${JSON.stringify(tf)}`));
      const e = await loadError(join(dir, 'sub', 'evil.yaml'));
      expect(e.message).toBe(`churn.traceFile: ${JSON.stringify(tf)} is outside the scenario's folder: a trace file must be in the folder of its scenario or below it`);
      expect(e.message).not.toMatch(/TOPSECRET|root:|PATH=/);
    }
  });

  it('inline text has no folder: a trace file is refused, unless a folder is given (the dashboard gives the scenarios folder)', () => {
    const { dir, trace } = layout();
    const refused = 'churn.traceFile: "traces/t.txt": this scenario is not read from a file, so it has no folder to read a trace from (give the sessions inline as churn.trace)';
    expect(() => parseScenario(scenarioYaml('  traceFile: traces/t.txt'), '<dashboard>', drivers)).toThrow(refused);
    expect(() => parseScenario(scenarioYaml(`  traceFile: ${JSON.stringify(trace)}`), '<dashboard>', drivers)).toThrow(/no folder to read a trace from/);
    expect(parseScenario(scenarioYaml('  traceFile: traces/t.txt'), '<dashboard>', drivers, { baseDir: join(dir, 'sub') }).churn?.trace).toHaveLength(5);
    expect(scenarioFromText(scenarioYaml('  traceFile: traces/t.txt'), '<x>', { drivers, baseDir: join(dir, 'sub') }).churn?.trace).toHaveLength(5);
  });

  it('--set churn.traceFile=... picks another file, resolved the same way', async () => {
    const { dir, scenario } = layout();
    writeFileSync(join(dir, 'sub', 'traces', 'other.txt'), '5 10 20\n');
    const s = await loadScenarioFile(scenario, { drivers, set: ['churn.traceFile=traces/other.txt'] });
    expect(s.churn?.trace).toEqual([{ peer: 5, joinMs: 10, leaveMs: 20, line: 1 }]);
  });
});

describe('churn.traceFile: errors name the key, the file and the line', () => {
  it('a bad line: `churn.traceFile (traces/t.txt) line 3: ...`', async () => {
    const { scenario } = layout('0 0 10\n# fine\nx 0 10\n');
    const e = await loadError(scenario);
    expect(e.message).toBe('churn.traceFile (traces/t.txt) line 3: peerId: expected an integer >= 0, got "x"');
    expect(e.source).toBe(scenario);
  });

  it('overlapping sessions and bad leave times keep their line', async () => {
    expect((await loadError(layout('0 0 10\n1 0 5\n0 5 20\n').scenario)).message).toMatch(
      /^churn\.traceFile \(traces\/t\.txt\) line 3: session of peer 0 joining at 5 overlaps the one from 0 to 10 \(line 1\)$/,
    );
    expect((await loadError(layout('\n\n\n0 9 4\n').scenario)).message).toMatch(/^churn\.traceFile \(traces\/t\.txt\) line 4: leaveMs: expected a number > joinMs \(9\)/);
  });

  it('a peer the scenario does not have is caught at load, with its line', async () => {
    const e = await loadError(layout('0 0 10\n6 0 10\n', undefined, 6).scenario);
    expect(e.message).toBe('churn.traceFile (traces/t.txt) line 2: peer 6 is not in the world (the scenario has 6 peers, ids 0..5)');
    // the same check for inline traces, in their own wording
    expect(() => parseScenario(scenarioYaml('  trace: "0 0 1\\n9 0 1"'), 'x.yaml', drivers)).toThrow(
      'churn.trace: line 2: peer 9 is not in the world (the scenario has 6 peers, ids 0..5)',
    );
  });

  it('a missing or unreadable file names the key and the path given', async () => {
    const { scenario } = layout(TRACE, '  traceFile: traces/nope.txt');
    const e = await loadError(scenario);
    expect(e.message).toBe('churn.traceFile: cannot read "traces/nope.txt": no such file');
    writeFileSync(scenario, scenarioYaml('  traceFile: traces'));
    expect((await loadError(scenario)).message).toBe('churn.traceFile: cannot read "traces": not a file');
    if (process.getuid?.() !== 0) {
      // root reads anything, so only a normal user can see the permission error
      const { chmodSync } = await import('node:fs');
      const l = layout();
      chmodSync(l.trace, 0o000);
      expect((await loadError(l.scenario)).message).toContain('permission denied');
    }
  });

  it('traceFile goes alone: not with trace, not with on/off; and it must be a path', async () => {
    const cases: [string, string][] = [
      ['  traceFile: traces/t.txt\n  trace: "0 0 1"', 'churn.traceFile: give either churn.trace (inline text) or churn.traceFile, not both'],
      ['  traceFile: traces/t.txt\n  on: { distribution: constant, ms: 5 }', 'churn.traceFile: a trace replaces on/off: give either the trace file or churn.on/churn.off'],
      ['  traceFile: traces/t.txt\n  off: { distribution: constant, ms: 5 }', 'churn.traceFile: a trace replaces on/off'],
      ['  traceFile: 42', 'churn.traceFile: expected the path of a trace file, got 42'],
      ['  traceFile: ""', 'churn.traceFile: expected the path of a trace file, got ""'],
    ];
    for (const [churn, msg] of cases) {
      const { scenario } = layout(TRACE, churn);
      expect((await loadError(scenario)).message, churn).toContain(msg);
    }
  });

  it('the other churn keys still apply and are still checked', async () => {
    const { scenario } = layout(TRACE, '  traceFile: traces/t.txt\n  stopMs: 2s\n  graceful: 1');
    const s = await loadScenarioFile(scenario, { drivers });
    expect(s.churn?.stopMs).toBe(2000);
    expect(s.churn?.graceful).toBe(1);
    const bad = layout(TRACE, '  traceFile: traces/t.txt\n  graceful: 2');
    expect((await loadError(bad.scenario)).message).toBe('churn.graceful: expected a number in [0, 1], got 2');
  });
});

describe('churn.traceFile: the replay', () => {
  it('drives joins and leaves at the trace times', async () => {
    const { scenario } = layout();
    const s = createSession(await loadScenarioFile(scenario, { drivers }), { drivers });
    const alive = (): number[] => Array.from(s.world.alive);
    // at 0: traced peers are offline unless a session covers time 0; peers 4 and 5 are not in the trace
    expect(alive()).toEqual([1, 0, 1, 0, 1, 1]);
    const at = (t: number): number[] => {
      s.advance(t - s.sim.now);
      expect(s.sim.now).toBe(t);
      return alive();
    };
    expect(at(499)).toEqual([1, 0, 1, 0, 1, 1]);
    expect(at(500)).toEqual([1, 1, 1, 0, 1, 1]); // peer 1 joins at 500
    expect(at(999)).toEqual([1, 1, 1, 0, 1, 1]);
    expect(at(1000)).toEqual([0, 1, 1, 0, 1, 1]); // peer 0 leaves at 1000
    expect(at(1500)).toEqual([0, 1, 1, 1, 1, 1]); // peer 3 joins for good
    expect(at(2000)).toEqual([0, 0, 1, 1, 1, 1]); // peer 1 leaves
    expect(at(3000)).toEqual([0, 1, 1, 1, 1, 1]); // and comes back
    expect(at(4000)).toEqual([0, 0, 1, 1, 1, 1]);
    expect(at(5000)).toEqual([0, 0, 1, 1, 1, 1]);
    // the session's own online series saw each step
    const online = s.series().online as { t: number[]; v: number[] };
    const onlineAt = (t: number): number | undefined => online.v[online.t.indexOf(t)];
    expect([onlineAt(0), onlineAt(500), onlineAt(1000), onlineAt(1500), onlineAt(2000), onlineAt(3000), onlineAt(4000)]).toEqual([4, 5, 4, 5, 4, 5, 4]);
  });

  it('the shipped sample trace replays every session of the file (checked against the text)', async () => {
    const file = join(import.meta.dirname, '../../resources/scenarios/kademlia-trace.yaml');
    const scenario = await loadScenarioFile(file, { set: ['workload.lookups=5'] });
    const sessions = scenario.churn?.trace;
    if (!Array.isArray(sessions)) throw new Error('expected parsed sessions');
    expect(sessions.length).toBeGreaterThanOrEqual(200);
    const s = createSession(scenario);
    // sample at every join/leave time + 1 ms and compare the world with the trace's own answer
    const times = [...new Set(sessions.flatMap((x) => [x.joinMs, x.leaveMs]).filter((t) => t < 120_000))].sort((a, b) => a - b);
    let checked = 0;
    for (const t of times) {
      if (t + 1 > s.untilMs || s.isDone()) break;
      s.advance(t + 1 - s.sim.now);
      if (s.sim.now !== t + 1) break;
      for (let p = 0; p < scenario.peers; p++) {
        const expected = sessions.some((x) => x.peer === p && x.joinMs <= s.sim.now && s.sim.now < x.leaveMs) ? 1 : 0;
        if (s.world.alive[p] !== expected) throw new Error(`peer ${p} at ${s.sim.now} ms: alive ${s.world.alive[p]}, trace says ${expected}`);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('the shipped sample trace', () => {
  it('is what its documented seeded command writes, byte for byte', async () => {
    const { execFileSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const root = join(import.meta.dirname, '../..');
    const shipped = readFileSync(join(root, 'resources/scenarios/traces/kademlia-sessions.txt'), 'utf8');
    const made = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/churn-trace.ts', '--peers', '100', '--seed', '7', '--minutes', '10'], { cwd: root, encoding: 'utf8' });
    expect(made).toBe(shipped);
  });
});

describe('churn.traceFile through every loader', () => {
  it('peerlab run: a bad trace exits 2 naming the scenario, key, file and line; a good one runs', async () => {
    const bad = layout('0 0 10\n0 abc 20\n');
    const errs: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errs.push(m);
    try {
      expect(await run([bad.scenario, '--out', join(bad.dir, 'out'), '--quiet', '--drivers-module', DRIVERS_MODULE])).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errs.join('\n')).toBe(`peerlab run: ${bad.scenario}: invalid scenario\n  churn.traceFile (traces/t.txt) line 2: joinMs: expected a number >= 0, got "abc"`);
    const good = layout();
    expect(await run([good.scenario, '--out', join(good.dir, 'out'), '--quiet', '--drivers-module', DRIVERS_MODULE])).toBe(0);
  });

  it('sweeps: the plan and the worker both resolve against the scenario file', async () => {
    const { scenario } = layout();
    const { readFileSync } = await import('node:fs');
    const plan = planSweep(readFileSync(scenario, 'utf8'), scenario, [parseVary('protocol.fanout=1,2')], 1, { drivers });
    expect(plan.scenario.churn?.trace).toHaveLength(5);
    const r = await runJob({ input: plan.text, source: plan.source, set: ['protocol.fanout=2'], seed: 1, driversModule: DRIVERS_MODULE });
    expect(r.summary.peers).toBe(6);
  });

  it('LabHost (the dashboard picker) lists and loads a scenario with a trace file', () => {
    const { dir } = layout();
    const host = new Lab({ scenariosDir: join(dir, 'sub'), emit: () => {}, autoTick: false, drivers });
    const list = host.scenarios();
    expect(list.map((x) => [x.name, x.description])).toEqual([['s', '6 peers, flood']]);
    const st = host.load({ name: 's' });
    expect(st.peers).toBe(6);
    host.step(1000);
    expect(host.state().timeMs).toBe(1000);
  });

  it('LabHost: scenario text typed in the dashboard finds a relative trace file in the scenarios folder', () => {
    const { dir, scenario } = layout();
    const host = new Lab({ scenariosDir: join(dir, 'sub'), emit: () => {}, autoTick: false, drivers });
    const st = host.load({ text: readFileSync(scenario, 'utf8') });
    expect(st.peers).toBe(6);
    const other = new Lab({ emit: () => {}, autoTick: false, drivers }); // no folder: a clear error
    expect(() => other.load({ text: readFileSync(scenario, 'utf8') })).toThrow(/churn\.traceFile/);
  });

  it('LabHost: lab.load text naming /proc/self/environ or ../ is refused without reading it, and the loaded run stays', () => {
    const { dir, scenario } = layout();
    const host = new Lab({ scenariosDir: join(dir, 'sub'), emit: () => {}, autoTick: false, drivers });
    host.load({ text: readFileSync(scenario, 'utf8') });
    for (const tf of ['/proc/self/environ', '../../../../etc/passwd']) {
      let msg = '';
      try {
        host.load({ text: scenarioYaml(`  traceFile: ${JSON.stringify(tf)}`) });
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toContain(`churn.traceFile: ${JSON.stringify(tf)} is outside the scenario's folder`);
      expect(msg).not.toMatch(/PATH=|HOME=|root:x/);
    }
    expect(host.state().peers).toBe(6);
  });
});
