/**
 * "Seek back equals a straight run", for any scenario: keyframes are taken at a few virtual times of a
 * straight run, each is restored into a fresh session, and every restored session must go on exactly
 * as the straight run did: the same events in the same order (a digest of the feed), the same end,
 * summary, series and samples. Each protocol's snapshot test calls this on scenarios that exercise it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { SessionKeyframes, type Keyframe } from '../../src/lab/keyframes.js';
import { scenarioFromText } from '../../src/lab/load.js';
import type { Scenario } from '../../src/lab/scenario.js';
import { createSession, type Session } from '../../src/lab/session.js';
import type { SimEvent } from '../../src/sim/index.js';

export const SCENARIOS = join(import.meta.dirname, '../../resources/scenarios');

export function shippedScenario(name: string, set: string[] = []): Scenario {
  const path = join(SCENARIOS, `${name}.yaml`);
  return scenarioFromText(readFileSync(path, 'utf8'), path, { set });
}

/** An order-sensitive digest of feed events (FNV-1a over their fields). */
class Trace {
  h = 0x811c9dc5 >>> 0;
  count = 0;
  private mix(x: number): void {
    this.h = Math.imul(this.h ^ (x | 0), 0x01000193) >>> 0;
    this.h = Math.imul(this.h ^ Math.floor(x / 4294967296), 0x01000193) >>> 0;
  }
  private str(s: string): void {
    for (let i = 0; i < s.length; i++) this.h = Math.imul(this.h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  }
  add = (e: SimEvent): void => {
    this.count++;
    this.str(e.type);
    this.mix(e.t * 1024);
    if ('from' in e) {
      this.mix(e.from);
      this.mix(e.to);
      this.mix(e.bytes);
    }
    if ('peer' in e) this.mix(e.peer);
    if (e.type === 'protocol') this.str(e.kind);
  };
}

interface Outcome {
  digest: number;
  events: number;
  end: [number, string | null, number];
  summary: string;
  series: string;
  samples: string;
  stats: string;
}

function finish(s: Session, trace: Trace): Outcome {
  // irregular slices: the end must not depend on them
  for (let i = 0; !s.isDone(); i++) s.advance(37 + ((i * 7919) % 501));
  return {
    digest: trace.h,
    events: trace.count,
    end: [s.sim.now, s.endReason, s.sim.eventsProcessed],
    summary: JSON.stringify(s.run.summary()),
    series: JSON.stringify([s.run.series(), s.series()]),
    samples: JSON.stringify(s.run.samples()),
    stats: JSON.stringify(s.world.stats),
  };
}

/**
 * Takes keyframes of a straight run at `times` (virtual ms), restores each into a fresh session, and
 * checks every restored run against the straight one from there to the end.
 */
export function expectSeekEqualsStraightRun(scenario: Scenario, times: number[]): { keyframes: Keyframe[] } {
  const straight = createSession(scenario);
  const kfs = new SessionKeyframes(straight);
  const taken: { kf: Keyframe; digest: number; events: number }[] = [];
  const trace = new Trace();
  straight.sim.feed.on(trace.add);
  for (const t of [...times].sort((a, b) => a - b)) {
    while (!straight.isDone() && straight.sim.now < t) straight.advance(Math.min(t - straight.sim.now, 113));
    if (straight.isDone()) break;
    taken.push({ kf: kfs.take(), digest: trace.h, events: trace.count });
  }
  expect(taken.length, 'keyframes taken before the run ended').toBeGreaterThan(0);
  const want = finish(straight, trace);
  for (const { kf, digest, events } of taken) {
    const fresh = SessionKeyframes.restore(kf, createSession(scenario));
    expect(fresh.sim.now).toBe(kf.timeMs);
    const t = new Trace();
    t.h = digest;
    t.count = events;
    fresh.sim.feed.on(t.add);
    const got = finish(fresh, t);
    expect(got, `restored at ${kf.timeMs} ms`).toEqual(want);
  }
  // a keyframe is not used up by restoring it
  const again = SessionKeyframes.restore(taken[0]!.kf, createSession(scenario));
  const t = new Trace();
  t.h = taken[0]!.digest;
  t.count = taken[0]!.events;
  again.sim.feed.on(t.add);
  expect(finish(again, t)).toEqual(want);
  return { keyframes: taken.map((x) => x.kf) };
}

/**
 * The first place where two session graphs differ (a debugging aid for a failing keyframe test):
 * walks both in step from the root; functions count as equal (a fresh session has its own).
 */
export function firstDifference(a: unknown, b: unknown, limit = 5): string[] {
  const out: string[] = [];
  const seen = new Map<object, object>();
  const queue: [unknown, unknown, string][] = [[a, b, 'session']];
  const isObj = (v: unknown): v is object => typeof v === 'object' && v !== null;
  for (let h = 0; h < queue.length && out.length < limit; h++) {
    const [x, y, path] = queue[h]!;
    if (typeof x === 'function' && typeof y === 'function') continue;
    if (!isObj(x) || !isObj(y)) {
      if (!Object.is(x, y)) out.push(`${path}: ${String(x)} vs ${String(y)}`);
      continue;
    }
    if (seen.has(x)) {
      if (seen.get(x) !== y) out.push(`${path}: shared differently`);
      continue;
    }
    seen.set(x, y);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) {
      out.push(`${path}: prototypes differ`);
      continue;
    }
    if (ArrayBuffer.isView(x)) {
      const xa = x as unknown as ArrayLike<number>, ya = y as unknown as ArrayLike<number>;
      if (xa.length !== ya.length) out.push(`${path}: length ${xa.length} vs ${ya.length}`);
      else for (let i = 0; i < xa.length; i++) if (!Object.is(xa[i], ya[i])) { out.push(`${path}[${i}]: ${xa[i]} vs ${ya[i]}`); break; }
      continue;
    }
    if (x instanceof Map && y instanceof Map) {
      const xk = [...x.keys()], yk = [...y.keys()];
      if (xk.length !== yk.length) { out.push(`${path}: Map size ${xk.length} vs ${yk.length}`); continue; }
      xk.forEach((k, i) => {
        queue.push([k, yk[i], `${path}<key ${i}>`]);
        queue.push([x.get(k), y.get(yk[i]), `${path}.get(${String(k)})`]);
      });
      continue;
    }
    if (x instanceof Set && y instanceof Set) {
      const xs = [...x], ys = [...y];
      if (xs.length !== ys.length) out.push(`${path}: Set size ${xs.length} vs ${ys.length}`);
      else xs.forEach((v, i) => queue.push([v, ys[i], `${path}<item ${i}>`]));
      continue;
    }
    const xk = Object.keys(x), yk = Object.keys(y);
    if (xk.join() !== yk.join()) out.push(`${path}: keys ${xk.join()} vs ${yk.join()}`);
    for (const k of xk) queue.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`]);
  }
  return out;
}
