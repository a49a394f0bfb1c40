/**
 * What the dashboard's timeline and recordings cost on a scenario (resources/bench/dashboard.yaml): the
 * recording's size (JSON lines and gzip, per virtual minute), the time to simulate with and without
 * recording, and scrub latency (seek back = restore the nearest keyframe and replay from it, or without
 * keyframes simulate again from 0; return to where it was; 1 s forward), and what the keyframes cost.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { median } from '../../core/index.js';
import { Lab } from '../../host/lab/lab.js';
import { recordedText } from '../../host/record-run.js';
import type { BenchCase, Figures, OptionsOf, OptionTypes } from '../runner.js';

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

const OPTIONS = {
  scenario: 'string',
  set: 'string',
  'record-every': 'number',
  'seek-to': 'number',
  repeat: 'int',
} as const satisfies OptionTypes;

async function run(o: OptionsOf<typeof OPTIONS>): Promise<Figures> {
  const bundledDir = join(dirname(new URL(import.meta.url).pathname), '../../../resources/scenarios');
  const name = o.scenario;
  const file = existsSync(name) ? name : join(bundledDir, `${name}.yaml`);
  const set = o.set.split(';').filter(Boolean);
  const text = recordedText({ file, text: readFileSync(file, 'utf8'), set });
  const every = o.recordEvery;
  const repeat = o.repeat;
  const host = (): Lab => new Lab({ scenariosDir: dirname(file), emit: () => undefined, autoTick: false });

  // the whole run, without and with recording
  const plain = host();
  plain.load({ text }, { source: file });
  let t0 = performance.now();
  plain.seek(Number.MAX_SAFE_INTEGER);
  const simulateMs = performance.now() - t0;
  const endMs = plain.state().timeMs;

  const rec = host();
  rec.load({ text }, { source: file });
  rec.recordStart({ everyMs: every });
  t0 = performance.now();
  rec.seek(Number.MAX_SAFE_INTEGER);
  const simulateRecordingMs = performance.now() - t0;
  rec.recordStop();
  const saved = rec.recordSave();
  const gz = gzipSync(saved.text);
  const perMinute = endMs > 0 ? 60_000 / endMs : NaN;

  // scrubbing: from the end back to seekTo (a re-run from 0), back to the end (the kept session), 1 s on
  const seekTo = o.seekTo > 0 ? o.seekTo : Math.round(endMs / 2);
  const back: number[] = [];
  const ret: number[] = [];
  const fwd: number[] = [];
  for (let i = 0; i < repeat; i++) {
    t0 = performance.now();
    plain.seek(seekTo);
    back.push(performance.now() - t0);
    t0 = performance.now();
    plain.seek(Math.min(endMs, seekTo + 1000));
    fwd.push(performance.now() - t0);
    t0 = performance.now();
    plain.seek(endMs);
    ret.push(performance.now() - t0);
  }
  const kf = plain.simTimeline?.keyframes;
  // the same seek without keyframes (simulated again from 0), once, for comparison
  const bare = new Lab({ scenariosDir: dirname(file), emit: () => undefined, autoTick: false, keyframes: false });
  bare.load({ text }, { source: file });
  bare.seek(endMs);
  t0 = performance.now();
  bare.seek(seekTo);
  const seekBackFromZeroMs = performance.now() - t0;
  return {
    scenario: plain.state().scenario,
    peers: plain.state().peers,
    set,
    endMs: round(endMs),
    simulateMs: round(simulateMs),
    simulateRecordingMs: round(simulateRecordingMs),
    recordEveryMs: every,
    frames: saved.frames,
    recordingKB: round(saved.text.length / 1024),
    recordingGzipKB: round(gz.length / 1024),
    gzipKBPerVirtualMinute: round((gz.length / 1024) * perMinute),
    seekToMs: seekTo,
    seekBackMedianMs: round(median(back)),
    seekBackMs: back.map((x) => round(x)),
    forward1sMedianMs: round(median(fwd)),
    returnToEndMedianMs: round(median(ret)),
    seekBackFromZeroMs: round(seekBackFromZeroMs),
    keyframes: kf?.list.length ?? 0,
    keyframesOff: kf?.disabled ?? null,
    keyframeCaptureMeanMs: kf && kf.stats.taken > 0 ? round(kf.stats.captureMs / kf.stats.taken) : null,
    keyframeRestoreMeanMs: kf && kf.stats.restored > 0 ? round(kf.stats.restoreMs / kf.stats.restored) : null,
    keyframeMB: kf ? round(kf.totalBytes / 1e6) : 0,
  };
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
