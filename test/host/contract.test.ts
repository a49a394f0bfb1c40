import { describe, expect, it } from 'vitest';
import { callFrame, defineGroup, command, hostFrame } from '../../src/host/contract.js';
import { groups } from '../../src/host/groups.js';
import { countersData, labGroup, labState, snapshotData } from '../../src/host/lab-group.js';
import { z } from 'zod';

const args = (cmd: keyof typeof labGroup.commands) => labGroup.commands[cmd].args;

describe('frames', () => {
  it('accepts a call frame and refuses extra keys, bad ids and missing cmd', () => {
    expect(callFrame.safeParse({ type: 'call', id: 1, cmd: 'lab.play' }).success).toBe(true);
    expect(callFrame.safeParse({ type: 'call', id: 'a-1', cmd: 'lab.play', args: {} }).success).toBe(true);
    expect(callFrame.safeParse({ type: 'call', id: 1, cmd: 'lab.play', evil: true }).success).toBe(false);
    expect(callFrame.safeParse({ type: 'call', id: -1, cmd: 'lab.play' }).success).toBe(false);
    expect(callFrame.safeParse({ type: 'call', id: 1.5, cmd: 'lab.play' }).success).toBe(false);
    expect(callFrame.safeParse({ type: 'call', id: 1 }).success).toBe(false);
    expect(callFrame.safeParse({ type: 'call', id: 1, cmd: 'x'.repeat(65) }).success).toBe(false);
    expect(callFrame.safeParse([1, 2]).success).toBe(false);
  });
  it('host frames are a discriminated union on type', () => {
    expect(hostFrame.safeParse({ type: 'result', id: 3, result: { a: 1 } }).success).toBe(true);
    expect(hostFrame.safeParse({ type: 'error', id: null, error: { code: 'bad_json', message: 'x' } }).success).toBe(true);
    expect(hostFrame.safeParse({ type: 'error', id: null, error: { code: 'nope', message: 'x' } }).success).toBe(false);
    expect(hostFrame.safeParse({ type: 'event', event: 'lab.state', data: {} }).success).toBe(true);
  });
});

describe('lab commands', () => {
  it('lab.load takes exactly one of name and text', () => {
    expect(args('lab.load').safeParse({ name: 'gossip-small' }).success).toBe(true);
    expect(args('lab.load').safeParse({ text: 'peers: 3' }).success).toBe(true);
    expect(args('lab.load').safeParse({}).success).toBe(false);
    expect(args('lab.load').safeParse({ name: 'a', text: 'b' }).success).toBe(false);
    expect(args('lab.load').safeParse({ name: 'a', seed: -1 }).success).toBe(false);
    expect(args('lab.load').safeParse({ name: 'a', other: 1 }).success).toBe(false);
  });
  it('lab.speed bounds the speed and names the key', () => {
    expect(args('lab.speed').parse({ speed: 10 })).toEqual({ speed: 10 });
    for (const bad of [0, -1, 1e9, 'fast', null]) {
      const r = args('lab.speed').safeParse({ speed: bad });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(['speed']);
    }
  });
  it('argument-less commands accept nothing or {}, not junk', () => {
    expect(args('lab.play').parse(undefined)).toEqual({});
    expect(args('lab.play').parse({})).toEqual({});
    expect(args('lab.play').safeParse({ x: 1 }).success).toBe(false);
    expect(args('lab.step').parse(undefined)).toEqual({});
    expect(args('lab.step').safeParse({ ms: 0 }).success).toBe(false);
    expect(args('lab.snapshot').safeParse({ maxPeers: 0 }).success).toBe(false);
  });
});

describe('lab events', () => {
  const state = {
    scenario: 's', bundled: 'f', source: 'f.yaml', protocol: 'gossip', peers: 200, seed: 1, running: false, speed: 1,
    timeMs: 0, untilMs: 1000, untilComplete: false, done: false, endReason: null,
  };
  it('state, snapshot and counters validate real shapes and refuse broken ones', () => {
    expect(labState.safeParse(state).success).toBe(true);
    expect(labState.safeParse({ ...state, endReason: 'bored' }).success).toBe(false);
    expect(labState.safeParse({ ...state, peers: -1 }).success).toBe(false);
    const snap = { run: 1, timeMs: 5, totalPeers: 3, peers: [{ id: 0, alive: true, state: 'infected' }, { id: 1, alive: false, state: 'susceptible', value: 0.5 }], links: [[0, 1]] };
    expect(snapshotData.safeParse(snap).success).toBe(true);
    expect(snapshotData.safeParse({ ...snap, links: [[0, 1, 2]] }).success).toBe(true); // a link kind
    expect(snapshotData.safeParse({ ...snap, links: [[0, 1, 2, 3]] }).success).toBe(false);
    expect(snapshotData.safeParse({ ...snap, links: [[0, 1, -1]] }).success).toBe(false);
    expect(snapshotData.safeParse({ ...snap, peers: [{ id: -3, alive: true, state: 'x' }] }).success).toBe(false);
    const c = { timeMs: 1, events: 2, online: 3, sent: 4, delivered: 4, dropped: 0, bytesSent: 100, summary: { reached: 0.5, note: 'x', ok: true, none: null } };
    expect(countersData.safeParse(c).success).toBe(true);
    expect(countersData.safeParse({ ...c, summary: { bad: [1] } }).success).toBe(false);
  });
});

describe('groups', () => {
  it('every command and event name is prefixed by its group and unique across groups', () => {
    const names = groups.flatMap((g) => [...Object.keys(g.commands), ...Object.keys(g.events).map((e) => `event:${e}`)]);
    expect(new Set(names).size).toBe(names.length);
    for (const g of groups) for (const n of [...Object.keys(g.commands), ...Object.keys(g.events)]) expect(n.startsWith(`${g.name}.`)).toBe(true);
  });
  it('defineGroup refuses names outside the group prefix', () => {
    expect(() => defineGroup({ name: 'live', commands: { 'lab.kill': command('x', z.object({}), z.null()) }, events: {} })).toThrow(/must start with 'live\.'/);
    expect(() => defineGroup({ name: 'Bad Name', commands: {}, events: {} })).toThrow(/bad group name/);
  });
});
