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
import type { ConfigIssue, PeerId } from '../../core/index.js';
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

/** What the schemas cannot check one key at a time: the keys together and with the number of peers. */
export function combinationIssues(params: SyncParams, workload: SyncWorkload, peers: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (params.maxLinks < params.degree) issues.push({ path: 'protocol.maxLinks', problem: `must be >= degree (${params.degree}), got ${params.maxLinks}` });
  if (params.deadLinkMs <= params.heartbeatMs) issues.push({ path: 'protocol.deadLinkMs', problem: `must exceed heartbeatMs (${params.heartbeatMs})` });
  if (workload.editors > peers) issues.push({ path: 'workload.editors', problem: `${workload.editors} editors but only ${peers} peers` });
  return issues;
}

/**
 * A run from parameters built in code: their combination is checked first (SyncConfigError).
 * `clientBase` offsets the replicas' Yjs client ids (see SyncRunState); 0 in the lab.
 */
export function createSyncRun(ctx: { world: World; seed: number }, params: SyncParams, workload: SyncWorkload, clientBase = 0): SyncRun {
  const issues = combinationIssues(params, workload, ctx.world.size);
  if (issues.length > 0) throw new SyncConfigError(issues);
  return buildSyncRun(ctx.world, params, workload, clientBase);
}

/** The run, from parameters whose combination has been checked. */
function buildSyncRun(world: World, params: SyncParams, workload: SyncWorkload, clientBase = 0): SyncRun {
  const state = new SyncRunState(world, params, workload, world.sim.rng.fork('sync'), clientBase);
  return {
    state,
    // complete: the edits are made, and every replica online holds all of them (a peer back from a break
    // just before the end would otherwise be counted unconverged only for when the run stopped)
    isComplete: () =>
      state.workloadDone &&
      state.meter.unconverged === 0 &&
      state.meter.joinersPending === 0 &&
      state.joiners.size === state.meter.joinRatios.length &&
      state.meter.allCaughtUp(),
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
  check: combinationIssues,
  create: (ctx, params, workload) => buildSyncRun(ctx.world, params, workload),
  observation,
};
