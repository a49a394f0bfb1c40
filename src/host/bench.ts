/**
 * `peerlab bench dashboard`: what the dashboard's timeline and recordings cost on a scenario: the
 * recording's size (JSON lines and gzip, per virtual minute), the time to simulate with and without
 * recording, and scrub latency (seek back = simulate again from 0; return to where it was; 1 s forward).
 *
 *   --scenario NAME|FILE   a bundled scenario or a file (default gossip-small)
 *   --set 'k=v;k2=v2'      overrides, as `peerlab run --set` (e.g. 'workload.broadcasts=60;until=60s')
 *   --record-every MS      frame cadence (default 250)
 *   --seek-to MS           where to seek back to (default half the run)
 *   --repeat N             seeks measured (default 5; medians reported)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { median } from '../core/index.js';
import { LabHost } from './lab-host.js';
import { recordedText } from './record-run.js';

type Opts = Record<string, string | boolean | undefined>;

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

export async function bench(opts: Opts): Promise<Record<string, unknown>> {
  const bundledDir = join(dirname(new URL(import.meta.url).pathname), '../../resources/scenarios');
  const name = typeof opts.scenario === 'string' ? opts.scenario : 'gossip-small';
  const file = existsSync(name) ? name : join(bundledDir, `${name}.yaml`);
  const set = typeof opts.set === 'string' ? opts.set.split(';').filter(Boolean) : [];
  const text = recordedText({ file, text: readFileSync(file, 'utf8'), set });
  const every = Number(opts['record-every'] ?? 250);
  const repeat = Number(opts.repeat ?? 5);
  const host = (): LabHost => new LabHost({ scenariosDir: dirname(file), emit: () => undefined, autoTick: false });

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
  const seekTo = Number(opts['seek-to'] ?? Math.round(endMs / 2));
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
  };
}
