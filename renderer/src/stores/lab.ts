/**
 * The lab's state as the dashboard sees it, fed by LabHost events (state, counters, snapshots) and
 * driving it with commands. Snapshots are kept as raw (non-reactive) objects: the graph component
 * diffs them itself, and making 1000 peers deeply reactive would cost more than drawing them.
 */
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { CountersData, LabState, ScenarioInfo, SnapshotData } from '../../../src/host/lab-group.js';
import { HostCallError, useHost } from '../host/client.js';

export const useLab = defineStore('lab', () => {
  const host = useHost();
  const state = ref<LabState | null>(null);
  const counters = ref<CountersData | null>(null);
  const snapshot = shallowRef<SnapshotData | null>(null);
  const scenarios = ref<ScenarioInfo[]>([]);
  const error = ref<string | null>(null);
  const busy = ref(false);

  host.on('lab.state', (s) => (state.value = s));
  host.on('lab.counters', (c) => (counters.value = c));
  host.on('lab.snapshot', (s) => (snapshot.value = markRaw(s)));

  async function refresh(): Promise<void> {
    const [s, list, snap] = await Promise.all([host.call('lab.state'), host.call('lab.scenarios'), host.call('lab.snapshot')]);
    state.value = s;
    scenarios.value = list;
    snapshot.value = markRaw(snap);
  }
  host.onStatus((st) => {
    if (st === 'open') void guard(refresh);
  });

  async function guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    try {
      const r = await fn();
      error.value = null;
      return r;
    } catch (err) {
      error.value = err instanceof HostCallError ? err.message : `${(err as Error).message}`;
      return undefined;
    } finally {
      busy.value = false;
    }
  }
  const apply = (s: LabState | undefined): void => {
    if (s) state.value = s;
  };

  return {
    state,
    counters,
    snapshot,
    scenarios,
    error,
    busy,
    refresh: () => guard(refresh),
    play: async () => apply(await guard(() => host.call('lab.play'))),
    pause: async () => apply(await guard(() => host.call('lab.pause'))),
    step: async (ms?: number) => apply(await guard(() => host.call('lab.step', ms === undefined ? {} : { ms }))),
    setSpeed: async (speed: number) => apply(await guard(() => host.call('lab.speed', { speed }))),
    reset: async (seed?: number) => apply(await guard(() => host.call('lab.reset', seed === undefined ? {} : { seed }))),
    load: async (name: string) => apply(await guard(() => host.call('lab.load', { name }))),
    dismissError: () => (error.value = null),
  };
});
