import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, checkKeys, checkNumber, show } from '../../src/core/index.js';
import { intIn, numAbove, numIn, zodIssues } from '../../src/core/schema.js';

function problems(schema: z.ZodType, input: unknown): string[] {
  const r = schema.safeParse(input, { reportInput: true });
  return r.success ? [] : zodIssues(r.error.issues, ['protocol']).map((i) => `${i.path}: ${i.problem}`);
}

describe('validation kit', () => {
  it('words a number out of range the same in the plain checks and in the schemas', () => {
    expect(() => checkNumber('network.loss', 2, 0, 1)).toThrow('network.loss: expected a number in [0, 1], got 2');
    expect(() => checkNumber('network.latency.ms', -1, 0)).toThrow('network.latency.ms: expected a number >= 0, got -1');
    expect(() => checkNumber('churn.on.meanMs', 0, 0, Infinity, { exclusiveMin: true })).toThrow('churn.on.meanMs: expected a number > 0, got 0');
    expect(problems(z.object({ loss: numIn(0, 1) }), { loss: 2 })).toEqual(['protocol.loss: expected a number in [0, 1], got 2']);
    expect(problems(z.object({ ms: numIn(0) }), { ms: -1 })).toEqual(['protocol.ms: expected a number >= 0, got -1']);
    expect(problems(z.object({ k: intIn(1, 16) }), { k: 1.5 })).toEqual(['protocol.k: expected an integer in [1, 16], got 1.5']);
    expect(problems(z.object({ n: intIn(0) }), { n: -2 })).toEqual(['protocol.n: expected an integer >= 0, got -2']);
    expect(problems(z.object({ p: numAbove() }), { p: 0 })).toEqual(['protocol.p: expected a number > 0, got 0']);
  });

  it('names the key of a wrong type, a missing key and an unknown key', () => {
    expect(problems(z.object({ k: intIn(1, 16) }), { k: 'x' })).toEqual(['protocol.k: expected a number, got "x"']);
    expect(problems(z.object({ k: intIn(1, 16) }), {})).toEqual(['protocol.k: missing (expected a number)']);
    expect(problems(z.strictObject({ k: intIn(1, 16) }), { k: 1, kk: 2 })).toEqual(['protocol.kk: unknown key']);
    expect(problems(z.object({ list: z.array(z.object({ up: numIn(0) })) }), { list: [{ up: 1 }, { up: -1 }] })).toEqual([
      'protocol.list[1].up: expected a number >= 0, got -1',
    ]);
    expect(() => checkKeys('churn', { on: 1, of: 2 }, ['on', 'off'])).toThrow('churn.of: unknown key (expected one of on, off)');
  });

  it('keeps the key apart from the problem and the rendering of input bounded', () => {
    const e = new ConfigError('network.loss', 'expected a number in [0, 1], got 2');
    expect([e.name, e.key, e.problem, e.message]).toEqual(['ConfigError', 'network.loss', 'expected a number in [0, 1], got 2', 'network.loss: expected a number in [0, 1], got 2']);
    expect(show('x'.repeat(1000)).length).toBeLessThan(50);
    expect([show(undefined), show(NaN), show([1]), show({ a: 1 }), show(null)]).toEqual(['nothing', 'NaN', 'a list', 'a mapping', 'null']);
  });
});

describe('ConfigError', () => {
  it('holds one problem or several, each under its path, and the lab error is one', async () => {
    const one = new ConfigError('network.loss', 'expected a number in [0, 1], got 2');
    expect(one.issues).toEqual([{ path: 'network.loss', problem: 'expected a number in [0, 1], got 2' }]);
    const many = new ConfigError([
      { path: 'peers', problem: 'missing (expected a number)' },
      { path: '', problem: 'line 3, column 1: bad indentation' },
    ]);
    expect(many.message).toBe('peers: missing (expected a number)\nline 3, column 1: bad indentation');
    expect([many.key, many.problem]).toEqual(['peers', 'missing (expected a number)']);
    const { ScenarioError } = await import('../../src/lab/errors.js');
    const e = new ScenarioError([{ path: 'protocol.fanout', problem: 'expected a number >= 1, got 0' }], 'a.yaml');
    expect(e).toBeInstanceOf(ConfigError);
    expect([e.name, e.source, e.key, e.message]).toEqual(['ScenarioError', 'a.yaml', 'protocol.fanout', 'protocol.fanout: expected a number >= 1, got 0']);
  });
});
