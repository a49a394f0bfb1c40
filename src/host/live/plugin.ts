/**
 * The live plugin of the LabHost: mounts `liveGroup` over a LiveNetwork and publishes `live.peers`
 * every second while anyone has peers, and `live.info` on every change.
 */
import type { GroupHandlers } from '../contract.js';
import { CommandError, type HostRouter } from '../router.js';
import { LiveNetwork, LiveNetworkError, type LiveNetworkOptions } from '../../live/live-network.js';
import { liveGroup } from './group.js';
import { LiveRecorder } from './live-recorder.js';

/** Structurally a `HostPlugin` (plugins.ts imports this file, so it is not imported back). */
export interface LivePlugin {
  name: 'live';
  mount(ctx: { router: HostRouter; emit: (event: string, data: unknown) => void }): { close(): Promise<void> };
}

export function livePlugin(opts: LiveNetworkOptions = {}): LivePlugin {
  return {
    name: 'live',
    mount({ router, emit }) {
      const net = new LiveNetwork(opts);
      const guard = async <T>(f: () => Promise<T>): Promise<T> => {
        try {
          return await f();
        } catch (e) {
          if (e instanceof LiveNetworkError) throw new CommandError(e.message);
          throw e;
        }
      };
      const changed = () => emit('live.info', net.info());
      const recorder = new LiveRecorder({ info: () => net.info(), peers: () => net.peers() }, emit);
      const handlers: GroupHandlers<typeof liveGroup> = {
        'live.info': async () => {
          await net.signalingUrl();
          return net.info();
        },
        'live.join': async () => {
          await net.signalingUrl();
          return net.joinInfo();
        },
        'live.configure': (a) =>
          guard(async () => {
            const info = await net.configure(a);
            changed();
            return info;
          }),
        'live.setMode': (a) =>
          guard(async () => {
            await net.setMode(a.mode);
            changed();
            return net.info();
          }),
        'live.openDoc': (a) =>
          guard(async () => {
            const docs = await net.openDoc(a.name);
            changed();
            return { docs };
          }),
        'live.addPeer': (a) =>
          guard(async () => {
            const p = await net.addPeer(a.name, a.behaviour);
            changed();
            return p;
          }),
        'live.removePeer': (a) =>
          guard(async () => {
            await net.removePeer(a.id);
            changed();
            return { ok: true as const };
          }),
        'live.killPeer': (a) =>
          guard(async () => {
            await net.killPeer(a.id);
            changed();
            return { ok: true as const };
          }),
        'live.restartPeer': (a) =>
          guard(async () => {
            const p = await net.restartPeer(a.id);
            changed();
            return p;
          }),
        'live.type': (a) =>
          guard(async () => {
            await net.type(a.id, a.doc, a.count, a.intervalMs);
            return { ok: true as const };
          }),
        'live.addSimulated': (a) =>
          guard(async () => {
            const pop = await net.addSimulated(a);
            changed();
            return pop;
          }),
        'live.removeSimulated': (a) =>
          guard(async () => {
            net.removeSimulated(a.id);
            changed();
            return { ok: true as const };
          }),
        'live.simulated': async () => ({ populations: net.simulated() }),
        'live.peers': async () => ({ peers: await net.peers() }),
        'live.replica': (a) => guard(async () => ({ text: await net.replica(a.id, a.doc) })),
        'live.record.start': (a) => recorder.start(a),
        'live.record.stop': () => recorder.stop(),
        'live.record.save': () => recorder.save(),
        'live.record.state': () => recorder.state(),
        'live.reportPeer': (a) => {
          net.reportBrowser(a);
          return { ok: true as const };
        },
      };
      router.mount(liveGroup, handlers);
      let busy = false;
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        net
          .peers()
          .then((peers) => {
            if (peers.length > 0) emit('live.peers', { peers });
          })
          .catch(() => {})
          .finally(() => (busy = false));
      }, 1000);
      timer.unref?.();
      return {
        async close() {
          clearInterval(timer);
          recorder.close();
          await net.close();
        },
      };
    },
  };
}
