/**
 * The lab's state as the dashboard sees it, fed by LabHost events (state, counters, snapshots,
 * series) and driving it with commands. Snapshots are kept as raw (non-reactive) objects: the graph
 * component diffs them itself, and making 1000 peers deeply reactive would cost more than drawing
 * them. Series live in a SeriesStore (also raw); `seriesVersion` tells charts when to redraw.
 */
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { CountersData, LabState, ScenarioInfo, SeriesData, SnapshotData } from '../../../src/host/lab-group.js';
import { SeriesStore } from '../charts/series-store.js';
import { gzip, downloadBlob, readRecordingFile } from '../export/download.js';
import { HostCallError, useHost } from '../host/client.js';
import type { ObservationData, PeerInspection } from '../observe/spec.js';
import { formatDuration } from '../../../src/core/format.js';

/**
 * Characters of a recording per `lab.replay.open` part: well under the host's 768 Ki (REPLAY_PART_CHARS
 * in lab-group.ts), because JSON escaping of the text's quotes and its UTF-8 bytes can double it on the
 * wire, and a frame may not exceed 1 MiB.
 */
const PART_CHARS = 256 * 1024;

export const useLab = defineStore('lab', () => {
  const host = useHost();
  const state = ref<LabState | null>(null);
  const counters = ref<CountersData | null>(null);
  const snapshot = shallowRef<SnapshotData | null>(null);
  const scenarios = ref<ScenarioInfo[]>([]);
  const error = ref<string | null>(null);
  const busy = ref(false);
  const series = markRaw(new SeriesStore());
  const seriesVersion = ref(0);
  /** What the loaded protocol measures and how it is drawn (labels, units, colours). */
  const observation = shallowRef<ObservationData | null>(null);
  /** Furthest virtual time this run has been at (the timeline reaches at least this far). */
  const furthestMs = ref(0);

  const timeMs = computed(() => counters.value?.timeMs ?? state.value?.timeMs ?? 0);

  function onSeries(d: SeriesData): void {
    if (series.apply(d) === 'gap') void fetchSeries();
    seriesVersion.value = series.version;
  }
  async function fetchSeries(): Promise<void> {
    try {
      series.apply(await host.call('lab.series'));
      seriesVersion.value = series.version;
    } catch {
      // the next whole-series event repairs it
    }
  }

  /** Where this live run ended, once it has (a run that stops on completion has no end known before). */
  const endMs = ref<number | null>(null);
  /** The run `furthestMs` and `endMs` are of (they start over with another run). */
  let runOf = -1;
  function noteRun(run: number): void {
    if (run === runOf) return;
    runOf = run;
    furthestMs.value = 0;
    endMs.value = null;
    void fetchObservation(run);
  }
  function noteState(s: LabState): void {
    state.value = s;
    if (s.done && s.mode !== 'replay') endMs.value = s.timeMs;
  }
  host.on('lab.state', noteState);
  host.on('lab.counters', (c) => (counters.value = c));
  host.on('lab.snapshot', (s) => {
    noteRun(s.run);
    snapshot.value = markRaw(s);
    furthestMs.value = Math.max(furthestMs.value, s.timeMs);
  });
  host.on('lab.series', onSeries);

  /** The contract of the run shown (another run, a replay: another protocol perhaps). */
  let observationOf = -1;
  async function fetchObservation(run: number): Promise<void> {
    if (observationOf === run) return;
    observationOf = run;
    try {
      const o = await host.call('lab.observation');
      if (observationOf === run) observation.value = o ? markRaw(o) : null;
    } catch {
      observationOf = -1; // asked again with the next run's snapshot or on reconnect
    }
  }

  /** The peer's state per protocol (the inspector). */
  function inspect(peer: number): Promise<PeerInspection> {
    return host.call('lab.inspect', { peer });
  }

  /** Everything at one moment, as a new window (or a reconnect) needs it: no zeros, no stale flags. */
  async function refresh(): Promise<void> {
    const [j, list] = await Promise.all([host.call('lab.join'), host.call('lab.scenarios')]);
    scenarios.value = list;
    observationOf = j.snapshot.run;
    runOf = -1;
    noteRun(j.snapshot.run);
    observation.value = j.observation ? markRaw(j.observation) : null;
    snapshot.value = markRaw(j.snapshot);
    furthestMs.value = Math.max(furthestMs.value, j.snapshot.timeMs);
    counters.value = j.counters;
    noteState(j.state);
    series.apply(j.series);
    seriesVersion.value = series.version;
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

  // Scrubbing sends many targets while the slider moves; only one seek is in flight, and when it
  // returns the latest target (if it moved on) is sent next, so the host never queues stale work.
  let seekInFlight = false;
  let seekWanted: number | null = null;
  const seekWaiters: (() => void)[] = [];
  /** Wall ms the last seek took (a seek back re-simulates from 0: slow runs make it slow). */
  const lastSeekMs = ref(0);
  const seeking = ref(false);
  async function seek(t: number): Promise<void> {
    seekWanted = t;
    if (seekInFlight) return new Promise((resolve) => seekWaiters.push(resolve));
    seekInFlight = true;
    seeking.value = true;
    try {
      while (seekWanted !== null) {
        const target = seekWanted;
        seekWanted = null;
        const t0 = performance.now();
        apply(await guard(() => host.call('lab.seek', { timeMs: target })));
        lastSeekMs.value = performance.now() - t0;
      }
    } finally {
      seekInFlight = false;
      seeking.value = false;
      for (const w of seekWaiters.splice(0)) w();
    }
  }

  async function saveRecording(): Promise<string | undefined> {
    return guard(async () => {
      const rec = await host.call('lab.record.save');
      downloadBlob(await gzip(rec.text), `${rec.name}.gz`);
      return rec.name;
    });
  }

  /** Opens a recording file (gzip or plain JSON lines) for replay; a bad one leaves the lab as it was. */
  async function openRecording(file: File): Promise<void> {
    apply(
      await guard(async () => {
        const text = await readRecordingFile(file);
        const parts = Math.max(1, Math.ceil(text.length / PART_CHARS));
        let st: LabState | undefined;
        for (let i = 0; i < parts; i++) {
          st = await host.call('lab.replay.open', { name: file.name || 'recording', part: i, parts, text: text.slice(i * PART_CHARS, (i + 1) * PART_CHARS) });
        }
        return st;
      }),
    );
  }

  /**
   * The timeline's range: the run's horizon, a replay's frames, or, for a run that stops on completion
   * (whose cap is often far beyond), its end once known, else a bit past the furthest time seen.
   */
  const range = computed(() => {
    const s = state.value;
    if (!s) return { min: 0, max: 1000 };
    if (s.replay) return { min: s.replay.fromMs, max: Math.max(s.replay.fromMs + 1, s.replay.toMs) };
    if (!s.untilComplete) return { min: 0, max: s.untilMs };
    if (endMs.value !== null) return { min: 0, max: Math.max(endMs.value, 1) };
    const far = Math.max(furthestMs.value, s.timeMs);
    return { min: 0, max: Math.min(s.untilMs, Math.max(1000, Math.ceil((far * 1.25) / 1000) * 1000)) };
  });
  /** The furthest time this run is known to reach: its end, or the furthest seen. */
  const knownEndMs = computed(() => endMs.value ?? Math.max(furthestMs.value, timeMs.value));

  /** Seeks `d` virtual ms from the time shown, kept within the timeline. */
  function seekBy(d: number): Promise<void> {
    const r = range.value;
    const target = Math.min(Math.max(r.min, timeMs.value + d), r.max);
    return target === timeMs.value ? Promise.resolve() : seek(target);
  }

  /** `gossip, 200 peers · seed 1 · t = 1.25 s`: what an exported picture is of. */
  const caption = computed(() => {
    const s = state.value;
    if (!s) return '';
    return `${s.scenario ?? 'no scenario'} · ${s.protocol ?? ''} · seed ${s.seed} · t = ${formatDuration(timeMs.value)}${s.mode === 'replay' ? ' (replay)' : ''}`;
  });

  return {
    state,
    observation,
    caption,
    range,
    knownEndMs,
    seekBy,
    inspect,
    validate: (text: string) => host.call('lab.validate', { text }),
    scenarioText: () => host.call('lab.scenario.text'),
    /** Loads edited scenario text; throws the host's error (with its issues) so the editor can place them. */
    loadText: async (text: string) => apply(await host.call('lab.load', { text })),
    counters,
    snapshot,
    scenarios,
    error,
    busy,
    series,
    seriesVersion,
    furthestMs,
    endMs,
    timeMs,
    lastSeekMs,
    seeking,
    refresh: () => guard(refresh),
    play: async () => apply(await guard(() => host.call('lab.play'))),
    pause: async () => apply(await guard(() => host.call('lab.pause'))),
    step: async (ms?: number) => apply(await guard(() => host.call('lab.step', ms === undefined ? {} : { ms }))),
    setSpeed: async (speed: number) => apply(await guard(() => host.call('lab.speed', { speed }))),
    reset: async (seed?: number) => apply(await guard(() => host.call('lab.reset', seed === undefined ? {} : { seed }))),
    load: async (name: string) => apply(await guard(() => host.call('lab.load', { name }))),
    seek,
    recordStart: async () => apply(await guard(() => host.call('lab.record.start'))),
    recordStop: async () => apply(await guard(() => host.call('lab.record.stop'))),
    saveRecording,
    openRecording,
    closeReplay: async () => apply(await guard(() => host.call('lab.replay.close'))),
    resimulate: async () => apply(await guard(() => host.call('lab.replay.resimulate'))),
    showError: (msg: string) => (error.value = msg),
    dismissError: () => (error.value = null),
  };
});
