/**
 * The scenario parser and `--set` under random input (fast-check, see test/fuzz.ts for the seed policy):
 * whatever the text, the parser returns a scenario or throws a ScenarioError naming where, never another
 * error; no input reaches Object.prototype; and the hostile documents found by hand (alias with no
 * anchor, alias bomb, deep nesting, ~300,000 keys, `__proto__`) end the same clean way.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { scenarioFromText } from '../../src/lab/load.js';
import { ScenarioError, parseScenario, parseText } from '../../src/lab/scenario.js';
import { MAX_SCENARIO_CHARS } from '../../src/lab/yaml-text.js';
import { drivers } from '../../src/lab/registry.js';
import { fuzz } from '../fuzz.js';

const SCENARIOS = join(import.meta.dirname, '../../resources/scenarios');
const shipped = readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: join(SCENARIOS, f), text: readFileSync(join(SCENARIOS, f), 'utf8') }));

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
afterEach(() => {
  // nothing any input did may show on every object
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS);
  expect(({} as Record<string, unknown>).until).toBeUndefined();
});

/** Parses; returns 'ok' or the ScenarioError's message, and fails on any other kind of error. */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw new Error(`expected a ScenarioError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
    expect(e.issues.length).toBeGreaterThan(0);
    return e.message;
  }
}

const token = fc.constantFrom(
  'name: x\n', 'peers: 10\n', 'protocol: { type: gossip }\n', 'until: 1s\n', 'until: complete\n', 'seed: 3\n',
  '&a ', '*a', '*b', '&b ', '[', ']', '{', '}', ', ', ': ', '- ', '? ', '\n', '  ', '"', "'", '#', '!!str ', '!!map ',
  '<<: *a\n', '__proto__: ', 'constructor: ', 'toString', '1e308', '-1', 'NaN', '.inf', '30d', 'null', '~', 'true',
  'network:\n  latency: { model: geo }\n', 'churn:\n  traceFile: /proc/self/environ\n', 'observe: { sampleEvery: 1ms }\n',
);

describe('scenario text under random input', () => {
  it('random YAML-ish text: a scenario or a ScenarioError, never another error', () => {
    fuzz(
      fc.property(fc.array(token, { maxLength: 60 }), (parts) => {
        outcome(() => parseScenario(parts.join(''), 'fuzz.yaml', drivers));
      }),
      { numRuns: 300 },
    );
  });

  it('shipped scenarios with random edits: a scenario or a ScenarioError', () => {
    const edit = fc.record({
      at: fc.nat(),
      del: fc.nat({ max: 8 }),
      ins: fc.array(token, { maxLength: 3 }),
    });
    fuzz(
      fc.property(fc.constantFrom(...shipped), fc.array(edit, { minLength: 1, maxLength: 4 }), (s, edits) => {
        let text = s.text;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.ins.join('') + text.slice(at + e.del);
        }
        outcome(() => parseScenario(text, s.file, drivers));
      }),
      { numRuns: 150 },
    );
  });

  it('random values at the keys of a valid scenario (as YAML and as JSON): a scenario or a ScenarioError', () => {
    const base = parseText(shipped.find((s) => s.file.endsWith('gossip-small.yaml'))!.text) as Record<string, unknown>;
    const keyPath = fc.constantFrom(
      ['peers'], ['until'], ['seed'], ['name'], ['protocol', 'type'], ['protocol', 'fanout'], ['protocol', 'roundMs'],
      ['network'], ['network', 'latency'], ['network', 'loss'], ['network', 'partitions'], ['workload', 'broadcasts'],
      ['observe', 'sampleEvery'], ['observe', 'snapshots'], ['churn'], ['__proto__'], ['constructor'],
    );
    fuzz(
      fc.property(keyPath, fc.anything({ maxDepth: 3 }), fc.boolean(), (path, value, asJson) => {
        const doc = structuredClone(base);
        let node = doc as Record<string, unknown>;
        for (const k of path.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
        Object.defineProperty(node, path.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
        let text: string;
        try {
          text = asJson ? JSON.stringify(doc) : stringify(doc);
        } catch {
          return; // a value neither format can write (a bigint, a cycle): not an input anyone can give
        }
        outcome(() => parseScenario(text, 'fuzz.yaml', drivers));
      }),
      { numRuns: 300 },
    );
  });

  it('--set with random key paths and values: applied, or a ScenarioError naming the path; never Object.prototype', () => {
    const text = shipped.find((s) => s.file.endsWith('gossip-small.yaml'))!.text.replace(/^until:.*$/m, '');
    const part = fc.constantFrom('until', 'peers', 'protocol', 'fanout', 'network', 'partitions', 'latency', 'observe', '__proto__', 'constructor', 'prototype', '0', '99999999', 'x');
    const seg = fc.tuple(part, fc.constantFrom('', '[0]', '[1]', '[4294967296]', '[]'));
    const path = fc.array(seg, { minLength: 1, maxLength: 4 }).map((ss) => ss.map(([p, i]) => p + i).join('.'));
    const value = fc.constantFrom('5s', '1e308', '30d', '*n', '&a [*a]', '[[[[', '{ model: constant, ms: 20 }', '3', '', '__proto__');
    fuzz(
      fc.property(fc.array(fc.tuple(path, value), { minLength: 1, maxLength: 3 }), (sets) => {
        outcome(() => scenarioFromText(text, 'fuzz.yaml', { set: sets.map(([p, v]) => `${p}=${v}`), drivers }));
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile scenario text, each found by hand', () => {
  const ok = 'name: x\npeers: 10\nprotocol: { type: gossip }\nuntil: 1s\n';
  const message = (text: string): string => outcome(() => parseScenario(text, 'h.yaml', drivers));

  it('protocol.type naming an Object.prototype member is an unknown protocol', () => {
    for (const t of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(message(ok.replace('gossip', t))).toMatch(new RegExp(`^protocol\\.type: unknown protocol "${t}"`));
  });

  it('an alias with no anchor names its key, line and column', () => {
    expect(message('name: x\npeers: *n\nprotocol: { type: gossip }\nuntil: 1s\n')).toBe(
      'peers: line 2, column 8: alias *n has no anchor &n before it (an alias must follow its anchor, outside it)',
    );
    // inside its own anchor: a cycle, refused the same way
    expect(message(`${ok}workload: &w { a: *w }\n`)).toMatch(/^workload\.a: line 5, column \d+: alias \*w has no anchor/);
  });

  it('an alias bomb is refused, not expanded', () => {
    let s = `${ok}x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n`;
    for (let i = 1; i < 9; i++) s += `x${i}: &x${i} [${Array(10).fill(`*x${i - 1}`).join(', ')}]\n`;
    expect(message(s)).toBe('YAML: aliases expand to more than 100 nodes (an alias bomb?)');
  });

  it('nesting 100,000 deep, twice in one process: a ScenarioError each time (the second used to abort the process)', () => {
    const deep = `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(message(deep)).toBe('line 1: nested deeper than 64 levels');
    expect(message(deep)).toBe('line 1: nested deeper than 64 levels');
    expect(message(`a:\n  ${'- '.repeat(10_000)}1\n`)).toBe('line 2: nested deeper than 64 levels');
  });

  it('~300,000 keys are read in one pass (a duplicate found, with its place), and text past the size bound is refused unread', () => {
    const keys = Array.from({ length: 300_000 }, (_, i) => `  k${i}: 1`).join('\n');
    // the parser's own unique-key check was quadratic: 48,700 keys took 38 s, this would take hours
    expect(message(`${ok}workload:\n${keys}\n  k7: 2\n`)).toBe(`workload.k7: line 300006, column 3: duplicate key (a key may appear once in a mapping)`);
    expect(message(`${ok}description: "${'x'.repeat(MAX_SCENARIO_CHARS)}"\n`)).toMatch(/^\d+ characters: a scenario may have at most 4194304/);
  });

  it('until beyond 1e12 ms, or more than a million samples per series, is refused naming the key', () => {
    expect(message(ok.replace('1s', '1e308'))).toBe('until: 1e+308 ms is beyond the longest run the lab simulates (1000000000000 ms, about 31 years)');
    expect(message(ok.replace('1s', '30d'))).toBe(
      'observe.sampleEvery: sampling every 100 ms until 2592000000 ms takes 25920000 samples; at most 1000000 (sample less often or end earlier)',
    );
    expect(message(ok.replace('1s', '{ complete: true, max: 1e300 }'))).toMatch(/^until\.max: 1e\+300 ms is beyond the longest run/);
    expect(message(`${ok.replace('1s', '30d')}observe: { sampleEvery: 1h }\n`)).toBe('ok');
  });

  it('--set __proto__.x, constructor.prototype.x and a far list index are refused by path', () => {
    const noUntil = ok.replace('until: 1s\n', '');
    const set = (a: string) => outcome(() => scenarioFromText(noUntil, 'h.yaml', { set: [a], drivers }));
    expect(set('__proto__.until=5s')).toBe(`bad key path "__proto__.until": '__proto__' is not a scenario key`);
    expect(set('constructor.prototype.until=5s')).toBe(`bad key path "constructor.prototype.until": 'constructor' is not a scenario key`);
    expect(set('network.partitions[99999999].at=5s')).toBe('network.partitions.99999999: cannot set network.partitions[99999999].at: index 99999999 is past the end of the list (0 items)');
    expect(set('until=5s')).toBe('ok');
  });
});
