// `peerlab run --record`: the headless recording is the dashboard's format, covers the run from 0 to
// its end, and its scenario text (with --set overrides applied) simulates the very same run again.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src/host/lab/lab.js';
import { parseRecording } from '../../src/host/recording.js';
import { recordedText, recordRun, writeRecording } from '../../src/host/record-run.js';
import { drivers, RUMOR_YAML } from './fixtures/rumor.js';

const dir = mkdtempSync(join(tmpdir(), 'peerlab-recrun-'));
const file = join(dir, 'rumor.yaml');
writeFileSync(file, RUMOR_YAML);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recordRun', () => {
  it('records the whole run with overrides applied to the recorded text, and it re-simulates identically', async () => {
    const rec = recordRun({ file, text: RUMOR_YAML, seed: 4, set: ['protocol.rounds=3', 'until=2s'], drivers, everyMs: 100 });
    const path = join(dir, 'r.peerlab.jsonl.gz');
    await writeRecording(path, rec);
    const parsed = parseRecording(gunzipSync(readFileSync(path)).toString('utf8'));
    expect(parsed.header.seed).toBe(4);
    expect(parsed.header.scenario.source).toBe(file);
    expect(parsed.header.scenario.text).toMatch(/^# rumor\.yaml with --set protocol\.rounds=3 --set until=2s\n/);
    expect(parsed.frames.map((f) => f.timeMs)).toEqual(Array.from({ length: 21 }, (_, i) => i * 100));
    expect(parsed.end).toMatchObject({ done: true, endReason: 'time' });
    // the recorded text and seed, loaded in a fresh host, give each recorded frame's counters
    const h = new Lab({ emit: () => undefined, autoTick: false, drivers });
    h.load({ text: parsed.header.scenario.text, seed: parsed.header.seed });
    for (const f of parsed.frames) {
      h.seek(f.timeMs);
      expect(h.counters()).toEqual(f.counters);
    }
    // and the overrides did change the run (3 rounds instead of 2)
    const plain = recordRun({ file, text: RUMOR_YAML, seed: 4, set: ['until=2s'], drivers, everyMs: 100 });
    expect(parseRecording(plain.text).frames.at(-1)!.counters.sent).not.toBe(parsed.frames.at(-1)!.counters.sent);
  });

  it('without overrides the file text is recorded as it is; a bad override names the file', () => {
    expect(recordedText({ file, text: RUMOR_YAML })).toBe(RUMOR_YAML);
    expect(() => recordedText({ file, text: RUMOR_YAML, set: ['=3'] })).toThrow();
  });
});
