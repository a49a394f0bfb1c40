/**
 * The lab's simulation worker: one `Lab` driven by calls from LabHost on the main thread, its events
 * posted back. Everything that costs time or memory (parsing scenarios and recordings, simulating,
 * seeking, keyframes) happens here, so the host's thread stays free for other clients.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ScenarioError } from '../../lab/errors.js';
import type { ProtocolDriver } from '../../protocols/driver.js';
import { CommandError } from '../router.js';
import { applyV8Tuning } from '../v8-tuning.js';
import { Lab } from './lab.js';
import { handleLabCall } from './commands.js';
import type { FromWorker, ToWorker, WorkerInit } from './wire.js';

applyV8Tuning();
const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('the lab worker runs in a worker thread');
const flag = new Int32Array(init.interrupt);
let seen = 0;
const post = (m: FromWorker): void => port.postMessage(m);

const drivers = init.driversModule ? ((await import(init.driversModule)) as { drivers: Record<string, ProtocolDriver> }).drivers : undefined;
const lab = new Lab({
  ...(init.scenariosDir ? { scenariosDir: init.scenariosDir } : {}),
  emit: (event, data) => post({ type: 'event', event, data }),
  ...(drivers ? { drivers } : {}),
  ...(init.tickMs !== undefined ? { tickMs: init.tickMs } : {}),
  ...(init.publishEveryMs !== undefined ? { publishEveryMs: init.publishEveryMs } : {}),
  ...(init.maxPeers !== undefined ? { maxPeers: init.maxPeers } : {}),
  ...(init.maxTickWallMs !== undefined ? { maxTickWallMs: init.maxTickWallMs } : {}),
  ...(init.recordingLimits ? { recordingLimits: init.recordingLimits } : {}),
  ...(init.keyframes !== undefined ? { keyframes: init.keyframes } : {}),
  interrupted: () => Atomics.load(flag, 0) !== seen,
});

port.on('message', (m: ToWorker) => {
  if (m.type !== 'call') return;
  seen = Atomics.load(flag, 0);
  try {
    post({ type: 'result', id: m.id, ok: true, result: handleLabCall(lab, m.cmd, m.args) });
  } catch (e) {
    const err = e as Error;
    const issues =
      e instanceof CommandError ? e.issues : e instanceof ScenarioError ? e.issues.map((i) => ({ path: i.path, message: i.problem })) : undefined;
    post({ type: 'result', id: m.id, ok: false, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), ...(issues ? { issues } : {}) } });
  }
});
post({ type: 'ready' });
