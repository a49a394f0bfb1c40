/**
 * LabHost commands under random calls (fast-check, seed policy in test/fuzz.ts): any command name,
 * arguments near the valid ones (every argument name a lab command takes, with hostile values:
 * NaN-like numbers, 1e308, negative, huge strings, damaged scenario texts) or arbitrary JSON. Every
 * answer is a result or an error the client can act on (bad_args, failed, unknown_command...), never
 * `internal` (a bug), and the host keeps answering host.ping.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostFrame, type HostFrame } from '../../src/host/contract.js';
import { createHost, type Host } from '../../src/host/index.js';
import { fuzzAsync } from '../fuzz.js';
import { RUMOR_DRIVERS, RUMOR_YAML } from './fixtures/rumor.js';

const dir = mkdtempSync(join(tmpdir(), 'peerlab-cmd-fuzz-'));
mkdirSync(join(dir, 'scenarios'));
writeFileSync(join(dir, 'scenarios', 'rumor.yaml'), RUMOR_YAML);

let host: Host;
beforeAll(async () => {
  host = createHost({ scenariosDir: join(dir, 'scenarios'), driversModule: RUMOR_DRIVERS, defaultScenario: 'rumor', log: () => {}, publishEveryMs: 20, plugins: [] });
  await host.ready;
});
afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

const ARG_NAMES = ['name', 'text', 'seed', 'ms', 'speed', 'maxPeers', 'timeMs', 'maxPoints', 'everyMs', 'keyframeEvery', 'part', 'parts', 'peer', '__proto__', 'constructor'];
const num = fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.constantFrom(0, 1e12, 1e308, -1e308, 2 ** 53, 0.5, 3_600_000, 20_000, 1e-9), fc.double({ noNaN: true }));
/** Scenario texts: the valid one with a line damaged, cut, or one key's value replaced. */
const scenarioText = fc.oneof(
  fc.tuple(fc.nat(), fc.string({ maxLength: 20 })).map(([at, s]) => {
    const lines = RUMOR_YAML.split('\n');
    lines[at % lines.length] = s;
    return lines.join('\n');
  }),
  fc.nat().map((n) => RUMOR_YAML.slice(0, n % RUMOR_YAML.length)),
  fc.constantFrom('until: 1e308', 'until: 30d', 'peers: 1e9', 'peers: *n', 'seed: -1', 'observe: { sampleEvery: 0ms }').map((l) => `${RUMOR_YAML}\n${l}\n`),
  fc.string({ maxLength: 60 }),
);
const value = fc.oneof(num, fc.string({ maxLength: 12 }), scenarioText, fc.boolean(), fc.constant(null), fc.constantFrom('rumor', '../../etc/passwd', 'rumor.yaml'));
const args = fc.oneof(fc.dictionary(fc.constantFrom(...ARG_NAMES), value, { maxKeys: 3 }), fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }));

describe('LabHost commands under random calls', () => {
  it('answer every call with a result or a usable error, never internal, and keep serving', async () => {
    const names = host.router.commandNames().filter((c) => c !== 'lab.play'); // a playing run only makes the test slower
    const cmd = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom('lab.nope', '__proto__', 'constructor', '') });
    let id = 0;
    const seen = new Set<string>();
    await fuzzAsync(
      fc.asyncProperty(fc.array(fc.tuple(cmd, args), { minLength: 1, maxLength: 6 }), async (calls) => {
        for (const [c, a] of calls) {
          const frame = a === undefined ? { type: 'call', id: ++id, cmd: c } : { type: 'call', id: ++id, cmd: c, args: a };
          const reply: HostFrame = await host.router.handleFrame(frame);
          expect(hostFrame.safeParse(reply).success, JSON.stringify(reply).slice(0, 300)).toBe(true);
          if (reply.type === 'error') {
            expect(reply.error.code, `${c} ${JSON.stringify(a)?.slice(0, 200)}: ${reply.error.message}`).not.toBe('internal');
            seen.add(reply.error.code);
          } else seen.add('ok');
        }
        const pong = await host.router.handleFrame({ type: 'call', id: ++id, cmd: 'host.ping' });
        expect(pong.type).toBe('result');
      }),
      { numRuns: 40 },
    );
    // the calls reached the handlers, not only the argument checks
    expect(seen.has('ok') && seen.has('bad_args')).toBe(true);
  });
});
