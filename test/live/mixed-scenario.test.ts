/**
 * What a simulated population may be: a sync scenario in overlay or flood mode whose `protocol.room` (if
 * set) names the live room; anything else is refused with the key and the reason.
 */
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/lab/scenario.js';
import { MAX_SIMULATED, populationFromText, populationScenario } from '../../src/live/mixed/scenario.js';

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.problem}`);
  }
  return expect.unreachable('no error');
}

const text = (protocol: string) => `name: pop\npeers: 30\nprotocol: { ${protocol} }\nuntil: 60s\n`;

describe('a simulated population scenario', () => {
  it('takes a sync scenario for its room, with the count given', () => {
    // 12 peers hold at most 12 editors (the default is 20), so this scenario names 5
    const s = populationFromText(`${text('type: sync, room: lab')}workload: { editors: 5 }\n`, 'lab', 12);
    expect(s.peers).toBe(12);
    expect((s.protocol.params as { room?: string }).room).toBe('lab');
    expect(populationFromText(text('type: sync, mode: flood'), 'any').peers).toBe(30);
    expect(populationScenario({ count: 200, room: 'lab' }).peers).toBe(200);
  });

  it('refuses a count below its editors when the scenario is read, not when the population starts', () => {
    expect(problems(() => populationFromText(text('type: sync, room: lab'), 'lab', 12))).toEqual(['workload.editors: 20 editors but only 12 peers']);
  });

  it('says first that a scenario is for another room, whatever else is wrong with it', () => {
    expect(problems(() => populationFromText(text('type: sync, room: other'), 'lab', 5))).toEqual([
      "protocol.room: the population joins room 'other', but the live room is 'lab' (change one of them)",
      'workload.editors: 20 editors but only 5 peers',
    ]);
  });

  it('refuses another room, y-webrtc, another protocol, a bad room name and too many peers, naming the key', () => {
    expect(problems(() => populationFromText(text('type: sync, room: other'), 'lab'))).toEqual([
      "protocol.room: the population joins room 'other', but the live room is 'lab' (change one of them)",
    ]);
    expect(problems(() => populationFromText(text('type: sync, mode: ywebrtc'), 'lab'))[0]).toMatch(/^protocol\.mode: .*expected overlay or flood, got ywebrtc/);
    expect(problems(() => populationFromText(text('type: gossip'), 'lab'))[0]).toMatch(/^protocol\.type: .*expected sync, got gossip/);
    expect(problems(() => populationFromText(text('type: sync, room: "a b"'), 'lab'))[0]).toMatch(/^protocol\.room: /);
    expect(problems(() => populationScenario({ count: MAX_SIMULATED + 1, room: 'lab' }))[0]).toMatch(/^peers: .*at most 2000/);
    expect(problems(() => populationScenario({ count: 10, room: 'lab', latencyMs: [-1, 5] }))[0]).toMatch(/^network\.latency/);
  });
});
