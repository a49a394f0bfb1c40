/**
 * Simulated CRDT sync (resources/bench/sync-sim.yaml): the shipped sync-overlay scenario (every peer a
 * real Y.Doc, 20 editors, late joiners; resources/scenarios/sync-overlay.yaml) run through the engine
 * once per mode at --peers N, so the overlay's figures stand beside the y-webrtc model's and flooding's
 * from the same seed, network and edits.
 *
 * Figures: per mode { converged, distinctDigests, convergenceP50Ms, convergenceP99Ms,
 * bytesPerEditPerPeer, antiEntropyBytesPerPeer, maxUploadBytesPerEdit, joinBytesPerDocByte,
 * signalingMessagesPerPeer, signalingAfterFirstLinkPerPeer, linksPerPeer, lookupHopsMean, virtualMs,
 * events, wallMs, heapMb (used after the run) }, peakRssMb (the process's, over all modes), and, when
 * both ran, overlay/ywebrtc ratios of bytes per edit and of convergence p99.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioFromText } from '../../lab/load.js';
import { runScenario } from '../../lab/runner.js';
import { SYNC_MODES } from '../../protocols/sync/sim/params.js';
import type { BenchCase, CaseContext, Figures, OptionsOf, OptionTypes } from '../runner.js';

const OPTIONS = {
  peers: 'int',
  edits: 'int',
  editors: 'int',
  joiners: 'int',
  modes: 'string',
  seed: 'int',
} as const satisfies OptionTypes;

const SCENARIO = join(dirname(fileURLToPath(import.meta.url)), '../../../resources/scenarios/sync-overlay.yaml');

const KEYS = [
  'converged',
  'distinctDigests',
  'editsUnconverged',
  'convergenceP50Ms',
  'convergenceP99Ms',
  'bytesPerEditPerPeer',
  'antiEntropyBytesPerPeer',
  'maxUploadBytesPerEdit',
  'joinBytesPerDocByte',
  'signalingMessagesPerPeer',
  'signalingAfterFirstLinkPerPeer',
  'linksPerPeer',
  'lookupHopsMean',
] as const;

async function run(o: OptionsOf<typeof OPTIONS>, ctx: CaseContext): Promise<Figures> {
  const modes = o.modes.split(',').map((m) => m.trim());
  for (const m of modes) if (!(SYNC_MODES as readonly string[]).includes(m)) throw new Error(`--modes: unknown mode "${m}" (one of ${SYNC_MODES.join(', ')})`);
  const text = readFileSync(SCENARIO, 'utf8');
  const out: Figures = { peers: o.peers, edits: o.edits, editors: o.editors, joiners: o.joiners };
  const byMode: Record<string, Record<string, unknown>> = {};
  for (const mode of modes) {
    ctx.log(`sync-sim: ${mode}, ${o.peers} peers`);
    const sc = scenarioFromText(text, SCENARIO, {
      seed: o.seed,
      set: [`peers=${o.peers}`, `protocol.mode=${mode}`, `workload.edits=${o.edits}`, `workload.editors=${o.editors}`, `workload.joiners=${o.joiners}`, 'observe.snapshots=[]'],
    });
    const t0 = performance.now();
    const r = runScenario(sc);
    const wallMs = Math.round(performance.now() - t0);
    const s = r.summary as Record<string, unknown>;
    const f: Record<string, unknown> = {};
    for (const k of KEYS) f[k] = s[k];
    f.virtualMs = r.virtualTimeMs;
    f.endReason = r.endReason;
    f.events = r.events;
    f.wallMs = wallMs;
    f.heapMb = Math.round(process.memoryUsage().heapUsed / 1048576);
    byMode[mode] = f;
  }
  out.modes = byMode;
  out.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const ov = byMode.overlay, yw = byMode.ywebrtc;
  if (ov && yw) {
    out.bytesPerEditRatio = Math.round(((ov.bytesPerEditPerPeer as number) / (yw.bytesPerEditPerPeer as number)) * 1000) / 1000;
    out.convergenceP99Ratio = Math.round(((ov.convergenceP99Ms as number) / (yw.convergenceP99Ms as number)) * 1000) / 1000;
  }
  return out;
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
