// LabHost's timeline: seeking (back = simulated again from 0, which must equal a fresh run), series
// events (whole after history changed, then only new points), recording at a fixed virtual cadence
// however the run was driven, and replaying a recording without the simulator, with the same controls.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src/host/lab/lab.js';
import { labGroup, labState, REPLAY_PART_CHARS, seriesData, type SeriesData } from '../../src/host/lab-group.js';
import { parseRecording } from '../../src/host/recording.js';
import { Rng } from '../../src/core/index.js';
import { drivers, RUMOR_YAML } from './fixtures/rumor.js';

const dir = mkdtempSync(join(tmpdir(), 'peerlab-rec-'));
writeFileSync(join(dir, 'rumor.yaml'), RUMOR_YAML);
// a slower spread (more rounds, longer ones) so there is something to record for a few seconds
writeFileSync(join(dir, 'slow.yaml'), RUMOR_YAML.replace('name: rumor-test', 'name: slow rumor').replace('rounds: 2, roundMs: 50', 'rounds: 6, roundMs: 400'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeHost(opts: { maxFrames?: number } = {}) {
  let wall = 0;
  const events: { event: string; data: unknown }[] = [];
  const host = new Lab({
    scenariosDir: dir,
    drivers,
    autoTick: false,
    now: () => wall,
    emit: (event, data) => events.push({ event, data }),
    maxPeers: 80,
    date: () => new Date(0),
    recordingLimits: opts.maxFrames ? { maxFrames: opts.maxFrames } : {},
  });
  return { host, events, advanceWall: (ms: number) => (wall += ms) };
}

function openText(host: Lab, text: string, name = 'rec.jsonl', part = 1000) {
  const parts = Math.max(1, Math.ceil(text.length / part));
  let st = host.state();
  for (let i = 0; i < parts; i++) st = host.replayOpen({ name, part: i, parts, text: text.slice(i * part, (i + 1) * part) });
  return st;
}

describe('LabHost timeline', () => {
  it('seeking back gives exactly what a fresh run to that time gives; forward runs ahead', () => {
    const { host } = makeHost();
    host.load({ name: 'slow' });
    host.step(2000);
    host.seek(730);
    const back = { c: host.counters(), s: host.snapshot() };
    const fresh = makeHost().host;
    fresh.load({ name: 'slow' });
    fresh.step(730);
    expect(back.c).toEqual(fresh.counters());
    expect(back.s.peers).toEqual(fresh.snapshot().peers);
    expect(host.state().timeMs).toBe(730);
    host.seek(1500);
    fresh.step(770);
    expect(host.counters()).toEqual(fresh.counters());
    // past the end: clamped to the run's end
    expect(host.seek(1e9).timeMs).toBe(host.state().untilMs);
  });

  it('series: whole after a load or a seek back, then only new points, continuing where the last ended', () => {
    const { host, events } = makeHost();
    host.load({ name: 'slow' });
    const series = (): SeriesData[] => events.filter((e) => e.event === 'lab.series').map((e) => seriesData.parse(e.data));
    expect(series().at(-1)!.reset).toBe(true);
    host.step(300);
    host.step(300);
    const [a, b] = series().slice(-2) as [SeriesData, SeriesData];
    expect(a.reset).toBe(false);
    expect(b.reset).toBe(false);
    const online = 'net.online';
    expect(b.series[online]!.start).toBe(a.series[online]!.end); // contiguous
    expect(b.series[online]!.t[0]).toBeGreaterThan(a.series[online]!.t.at(-1)!);
    // everything received equals the whole answer
    const whole = host.series();
    const got = series().flatMap((s) => s.series[online]?.t ?? []);
    expect(got).toEqual(whole.series[online]!.t);
    host.seek(100);
    const c = series().at(-1)!;
    expect(c.reset).toBe(true);
    expect(c.series[online]!.t.every((t) => t <= 100)).toBe(true);
    // thinning keeps at most maxPoints per series, and the last point
    host.step(5000);
    const thin = host.series(10);
    expect(thin.series[online]!.t.length).toBeLessThanOrEqual(10);
    expect(thin.series[online]!.t.at(-1)).toBe(host.series().series[online]!.t.at(-1));
  });

  it('records a frame at every multiple of everyMs however the run is driven (play, step, seek)', () => {
    const a = makeHost();
    a.host.load({ name: 'slow' });
    a.host.recordStart({ everyMs: 100 });
    a.host.step(1234);
    a.host.recordStop();
    const straight = a.host.recordSave();
    const rec = parseRecording(straight.text);
    expect(rec.frames.map((f) => f.timeMs)).toEqual(Array.from({ length: 13 }, (_, i) => i * 100));
    expect(rec.header.scenario.text).toBe(RUMOR_YAML.replace('name: rumor-test', 'name: slow rumor').replace('rounds: 2, roundMs: 50', 'rounds: 6, roundMs: 400'));
    expect(rec.header.seed).toBe(11);
    expect(straight.name).toBe('slow-rumor-seed11.peerlab.jsonl');

    // played at an odd speed, with a seek back and forward in the middle: the same file
    const b = makeHost();
    b.host.load({ name: 'slow' });
    b.host.recordStart({ everyMs: 100 });
    b.host.setSpeed(3.7);
    b.host.play();
    for (let i = 0; i < 30; i++) {
      b.advanceWall(9);
      b.host.tick();
    }
    b.host.seek(250);
    b.host.seek(900);
    b.host.step(334);
    b.host.recordStop();
    expect(b.host.recordSave().text).toBe(straight.text);
  });

  it('replays a recording without the simulator: same frames, same controls; close returns to the live run', () => {
    const { host, events, advanceWall } = makeHost();
    host.load({ name: 'slow' });
    host.recordStart({ everyMs: 250 });
    const shown: { c: unknown; s: unknown }[] = [];
    for (let i = 0; i < 8; i++) {
      host.step(250);
      shown.push({ c: host.counters(), s: host.snapshot().peers });
    }
    host.recordStop();
    const live = host.state();
    const saved = host.recordSave();
    const st = openText(host, saved.text, 'slow.jsonl');
    expect(labState.parse(st)).toMatchObject({ mode: 'replay', scenario: 'slow rumor', timeMs: 0, untilMs: 2000, running: false, replay: { name: 'slow.jsonl', frames: 9 } });
    for (let i = 0; i < 8; i++) {
      host.step(250);
      expect(host.counters()).toEqual(shown[i]!.c);
      expect(host.snapshot().peers).toEqual(shown[i]!.s);
    }
    expect(host.state().done).toBe(true);
    host.seek(600); // between frames: the one at 500
    expect(host.counters()).toEqual(shown[1]!.c);
    expect(host.state().timeMs).toBe(600);
    const ser = host.series();
    expect(ser.series['net.online']!.t.every((t) => t <= 600)).toBe(true);
    host.reset();
    host.setSpeed(2);
    host.play();
    advanceWall(200);
    host.tick();
    expect(host.state().timeMs).toBe(400);
    expect(host.counters()).toEqual(shown[0]!.c);
    advanceWall(250);
    for (let i = 0; i < 10; i++) {
      advanceWall(250);
      host.tick();
    }
    expect(host.state()).toMatchObject({ running: false, done: true, timeMs: 2000 });
    expect(() => host.recordStart({})).toThrow(/while replaying/);
    const back = host.replayClose();
    expect(back).toMatchObject({ mode: 'live', timeMs: live.timeMs, scenario: 'slow rumor' });
    expect(events.filter((e) => e.event === 'lab.snapshot').at(-1)!.data).toMatchObject({ timeMs: live.timeMs });
  });

  it('a bad or cut-off recording is refused with where, and the running lab goes on untouched', () => {
    const { host, advanceWall } = makeHost();
    host.load({ name: 'slow' });
    host.recordStart({ everyMs: 100 });
    host.step(500);
    const text = host.recordSave().text;
    host.play();
    const before = host.state();
    expect(() => openText(host, text.slice(0, text.length - 40), 'cut.jsonl')).toThrow(/cut\.jsonl: line \d+: cut off mid-record/);
    expect(() => openText(host, text.split('\n').slice(0, 4).join('\n') + '\n', 'short.jsonl')).toThrow(/short\.jsonl: truncated: 4 lines \(3 frames\) and no end record/);
    expect(() => openText(host, 'hello\n', 'x.txt')).toThrow(/x\.txt: line 1: not JSON/);
    expect(() => host.replayOpen({ name: 'a', part: 1, parts: 2, text: 'x' })).toThrow(/came out of order/);
    // parts are checked as they come: one line without end is refused at the line bound (32 Mi), long
    // before the file bound (96 Mi)
    const big = 'x'.repeat(768 * 1024);
    expect(() => {
      for (let i = 0; i < 200; i++) host.replayOpen({ name: 'big', part: i, parts: 200, text: big });
    }).toThrow(/big: line 1: a line of more than 33554432 characters/);
    expect(host.state()).toEqual(before);
    advanceWall(100);
    host.tick();
    expect(host.state().timeMs).toBeGreaterThan(before.timeMs);
  });

  it('stops recording at its frame limit, and when another run is loaded', () => {
    const { host } = makeHost({ maxFrames: 5 });
    host.load({ name: 'slow' });
    host.recordStart({ everyMs: 100 });
    host.step(2000);
    expect(host.state().recording).toMatchObject({ active: false, frames: 5, reason: 'full', toMs: 400 });
    expect(host.state().timeMs).toBe(2000); // the run itself went on
    host.recordStart({ everyMs: 100 });
    host.step(100);
    host.load({ name: 'rumor' });
    expect(host.state().recording).toMatchObject({ active: false, frames: 2, reason: 'closed' });
    expect(parseRecording(host.recordSave().text).header.scenario.name).toBe('slow rumor');
    // what a client gets (the schema the host sends through) still says which run the recording is of
    const sent = labState.parse(host.state());
    expect(sent.scenario).toBe('rumor-test');
    expect(sent.recording).toMatchObject({ scenario: 'slow rumor', seed: 11 });
  });
});

describe('LabHost recording after it stopped', () => {
  it('a stopped recording is not changed by seeking or resetting the run', () => {
    const { host } = makeHost();
    host.load({ name: 'slow' });
    host.recordStart({ everyMs: 100 });
    host.step(800);
    host.recordStop();
    const before = host.recordSave().text;
    host.seek(300);
    host.reset();
    host.step(50);
    expect(host.recordSave().text).toBe(before);
  });
});

describe('LabHost seek back and forth', () => {
  it('going forward again to where the run was reuses that session (same state as running on)', () => {
    const { host } = makeHost();
    host.load({ name: 'slow' });
    host.step(3000);
    const at3000 = host.counters();
    host.seek(500);
    host.seek(3000); // the kept session, not a second re-run
    expect(host.counters()).toEqual(at3000);
    host.seek(3700);
    const fresh = makeHost().host;
    fresh.load({ name: 'slow' });
    fresh.step(3700);
    expect(host.counters()).toEqual(fresh.counters());
    expect(host.snapshot().peers).toEqual(fresh.snapshot().peers);
    // reset keeps it too; another seed does not
    host.reset();
    host.seek(3700);
    expect(host.counters()).toEqual(fresh.counters());
    host.reset(99);
    host.seek(3700);
    expect(host.counters()).not.toEqual(fresh.counters());
  });
});

describe('LabHost replay, simulated again', () => {
  it('resimulate turns the replayed recording into the live run at the time shown, with the same numbers', () => {
    const { host } = makeHost();
    host.load({ name: 'slow' });
    host.recordStart({ everyMs: 250 });
    host.step(1500);
    host.recordStop();
    const text = host.recordSave().text;
    const frame = parseRecording(text).frames[4]!; // 1000 ms
    host.load({ name: 'rumor' });
    openText(host, text);
    host.seek(1000);
    const st = host.replayResimulate();
    expect(st).toMatchObject({ mode: 'live', scenario: 'slow rumor', seed: 11, timeMs: 1000, replay: null });
    expect(host.counters()).toEqual(frame.counters);
    expect(() => host.replayResimulate()).toThrow(/no recording is being replayed/);
  });
});

describe('timeline and recording commands: arguments are bounded', () => {
  const args = (cmd: keyof typeof labGroup.commands) => labGroup.commands[cmd].args;
  it('refuses what is out of bounds, naming the key', () => {
    const bad: [keyof typeof labGroup.commands, unknown, string][] = [
      ['lab.seek', { timeMs: -1 }, 'timeMs'],
      ['lab.seek', {}, 'timeMs'],
      ['lab.series', { maxPoints: 50_000 }, 'maxPoints'],
      ['lab.record.start', { everyMs: 0 }, 'everyMs'],
      ['lab.record.start', { maxPeers: 50_000 }, 'maxPeers'],
      ['lab.replay.open', { name: 'x', part: 0, parts: 1, text: 'x'.repeat(REPLAY_PART_CHARS + 1) }, 'text'],
      ['lab.replay.open', { name: 'x', part: 0, parts: 1025, text: '' }, 'parts'],
      ['lab.replay.open', { name: '', part: 0, parts: 1, text: '' }, 'name'],
    ];
    for (const [cmd, a, key] of bad) {
      const r = args(cmd).safeParse(a);
      expect(r.success, `${cmd} ${JSON.stringify(a).slice(0, 80)}`).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual([key]);
    }
    expect(args('lab.replay.open').safeParse({ name: 'r.jsonl', part: 0, parts: 1, text: 'x'.repeat(REPLAY_PART_CHARS) }).success).toBe(true);
    // the dashboard's part (256 Ki characters) fits in one 1 MiB frame even if every character needs escaping
    expect(Buffer.byteLength(JSON.stringify({ type: 'call', id: 1, cmd: 'lab.replay.open', args: { name: 'r', part: 0, parts: 1, text: '"'.repeat(256 * 1024) } }))).toBeLessThan(1024 * 1024);
  });
});

describe('LabHost recording, driven at random', () => {
  it('any mix of odd speeds, ticks, steps and seeks records the same file as a straight run (seeded)', () => {
    const straight = makeHost();
    straight.host.load({ name: 'slow' });
    straight.host.recordStart({ everyMs: 70 });
    straight.host.step(2100);
    straight.host.recordStop();
    const want = straight.host.recordSave().text;
    for (const seed of [1, 2, 3]) {
      const rng = new Rng(seed);
      const { host, advanceWall } = makeHost();
      host.load({ name: 'slow' });
      host.recordStart({ everyMs: 70 });
      host.setSpeed(0.1 + rng.float() * 9.9);
      while (host.state().timeMs < 2100) {
        const r = rng.float();
        const now = host.state().timeMs;
        if (r < 0.4) {
          if (!host.state().running) host.play();
          advanceWall(rng.float() * 40);
          host.tick();
        } else if (r < 0.6) host.step(Math.min(2100 - now, 0.1 + rng.float() * 150));
        else if (r < 0.75) host.seek(rng.float() * now);
        else if (r < 0.9) host.seek(Math.min(2100, now + rng.float() * 300));
        else host.setSpeed(0.1 + rng.float() * 9.9);
        if (host.state().timeMs > 2100) host.seek(2100);
      }
      host.recordStop();
      expect(host.recordSave().text, `seed ${seed}`).toBe(want);
    }
  });
});
