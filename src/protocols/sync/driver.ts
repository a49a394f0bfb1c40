/**
 * The lab driver for `protocol.type: sync`: simulated peers that each hold a real Y.Doc and keep it in
 * step with the others, in one of three modes (overlay, ywebrtc, flood), under an edit workload, over the
 * network model with churn, loss and partitions. The parts are in sim/:
 *
 * - `params.ts`    the scenario keys
 * - `room.ts`      links and the signaling server, modelled over the World
 * - `peers.ts`     the sync peer (the code live peers run) in the room; `ywebrtc.ts` the y-webrtc model
 * - `run.ts`       sessions, editors, the edits, late joiners, the sampled series
 * - `measure.ts`   convergence by state vector, bytes by class, join cost
 * - `report.ts`    summary, series, samples, snapshot, inspection
 */
import type { PeerId } from '../../core/index.js';
import type { DriverRun, ProtocolDriver } from '../driver.js';
import type { World } from '../../sim/index.js';
import { observation } from './observe.js';
import { syncParams, syncWorkload, type SyncParams, type SyncWorkload } from './sim/params.js';
import { inspect, samples, series, snapshot, summary } from './sim/report.js';
import { SyncRunState } from './sim/run.js';
import { SyncConfigError } from './errors.js';

export { syncParams, syncWorkload, type SyncParams, type SyncWorkload } from './sim/params.js';

export interface SyncRun extends DriverRun {
  readonly state: SyncRunState;
}

/** `clientBase` offsets the replicas' Yjs client ids (see SyncRunState); 0 in the lab. */
export function createSyncRun(ctx: { world: World; seed: number }, params: SyncParams, workload: SyncWorkload, clientBase = 0): SyncRun {
  if (params.maxLinks < params.degree) throw new SyncConfigError('protocol.maxLinks', `must be >= degree (${params.degree}), got ${params.maxLinks}`);
  if (params.deadLinkMs <= params.heartbeatMs) throw new SyncConfigError('protocol.deadLinkMs', `must exceed heartbeatMs (${params.heartbeatMs})`);
  if (workload.editors > ctx.world.size) throw new SyncConfigError('workload.editors', `${workload.editors} editors but only ${ctx.world.size} peers`);
  const state = new SyncRunState(ctx.world, params, workload, ctx.world.sim.rng.fork('sync'), clientBase);
  return {
    state,
    isComplete: () => state.workloadDone && state.meter.unconverged === 0 && state.meter.joinersPending === 0 && state.joiners.size === state.meter.joinRatios.length,
    summary: () => summary(state),
    series: () => series(state),
    samples: () => samples(state),
    snapshot: (maxPeers?: number) => snapshot(state, maxPeers),
    inspect: (peer: PeerId) => inspect(state, peer),
  };
}

export const driver: ProtocolDriver<SyncParams, SyncWorkload> = {
  type: 'sync',
  params: syncParams,
  workload: syncWorkload,
  create: (ctx, params, workload) => createSyncRun(ctx, params, workload),
  observation,
};
