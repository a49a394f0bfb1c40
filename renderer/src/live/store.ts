/**
 * The live network as this window sees it: room info and every peer's state (from `live.peers` events),
 * and this window's own peer (a BrowserPeer using the browser's WebRTC), which joins the room the host
 * says, follows the room's mode, and reports its state to the host every second so the overlay view
 * shows windows and Node peers together. Also the room's recording (`live.record.*`): started, stopped and
 * saved from here, replayed by the Lab like any recording.
 */
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { HostEvents } from '../../../src/host/groups.js';
import type { LiveBehaviour, LiveConfigureArgs, LiveInfoData, LivePeerData, SimulatedPopulationData } from '../../../src/host/live/group.js';
import { BrowserPeer, createPeerKeys, type PeerKeys } from '../../../src/live/browser-peer.js';
import { downloadBlob, gzip } from '../export/download.js';
import { HostCallError, useHost } from '../host/client.js';

/** The room's recording as the host reports it (frames, size, time span, why it stopped), or null. */
export type LiveRecordingState = HostEvents['live.record'];

export const useLive = defineStore('live', () => {
  const host = useHost();
  const info = ref<LiveInfoData | null>(null);
  const peers = shallowRef<LivePeerData[]>([]);
  const me = shallowRef<BrowserPeer | null>(null);
  const error = ref<string | null>(null);
  const recording = shallowRef<LiveRecordingState>(null);
  /** Simulated populations in the room (live.addSimulated), refreshed with the peers while there are any. */
  const populations = shallowRef<SimulatedPopulationData[]>([]);
  async function refreshPopulations(): Promise<void> {
    populations.value = markRaw((await host.call('live.simulated')).populations);
  }
  let password: string | null = null;
  let joinedKey = '';
  // the window's key pair, one per session (see BrowserPeerOptions.keys); made when a room with trust asks for it
  let sessionKeys: Promise<PeerKeys> | null = null;

  host.on('live.info', (i) => {
    info.value = i;
    void sync();
  });
  host.on('live.peers', (p) => {
    peers.value = markRaw(p.peers);
    if (populations.value.length || p.peers.some((x) => x.kind === 'bridge')) void refreshPopulations().catch(() => {});
  });
  host.on('live.record', (r) => (recording.value = r));

  /** (Re)joins when room, password or signaling changed; follows mode switches. */
  async function sync(): Promise<void> {
    const j = await host.call('live.join');
    const keys = j.trust ? await (sessionKeys ??= createPeerKeys()) : undefined;
    info.value = j;
    recording.value = await host.call('live.record.state');
    await refreshPopulations();
    password = j.password;
    const key = `${j.room}|${j.password ?? ''}|${j.signalingUrl}|${JSON.stringify(j.rtcConfig)}|${j.trust}`;
    if (me.value && key === joinedKey) {
      me.value.setMode(j.mode);
      return;
    }
    me.value?.close();
    me.value = null;
    if (!j.signalingUrl) return;
    joinedKey = key;
    const peer = new BrowserPeer({ room: j.room, signaling: j.signalingUrl, password, mode: j.mode, rtcConfig: j.rtcConfig, ...(keys ? { trust: true, keys } : {}) });
    for (const d of j.docs) peer.open(d);
    me.value = markRaw(peer);
  }

  async function guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const r = await fn();
      error.value = null;
      return r;
    } catch (err) {
      error.value = err instanceof HostCallError ? err.message : String(err);
      return undefined;
    }
  }

  host.onStatus((st) => {
    if (st === 'open') void guard(sync);
  });
  if (host.status === 'open') void guard(sync);

  setInterval(() => {
    const p = me.value;
    if (!p || host.status !== 'open') return;
    void host.call('live.reportPeer', p.state()).catch(() => {});
  }, 1000);

  /** The recording so far as a gzipped file (`<name>.gz`): downloaded if `download`, and returned so the Lab can replay it. */
  async function saveRecording(download = true): Promise<File | undefined> {
    return guard(async () => {
      const rec = await host.call('live.record.save');
      const blob = await gzip(rec.text);
      const name = `${rec.name}.gz`;
      if (download) downloadBlob(blob, name);
      return new File([blob], name, { type: 'application/gzip' });
    });
  }

  return {
    info,
    peers,
    me,
    error,
    recording,
    populations,
    guard,
    openDoc: (name: string) =>
      guard(async () => {
        await host.call('live.openDoc', { name });
        me.value?.open(name);
      }),
    setMode: (mode: 'overlay' | 'ywebrtc') => guard(() => host.call('live.setMode', { mode })),
    addPeer: (behaviour: LiveBehaviour = 'honest') => guard(() => host.call('live.addPeer', { behaviour })),
    killPeer: (id: number) => guard(() => host.call('live.killPeer', { id })),
    restartPeer: (id: number) => guard(() => host.call('live.restartPeer', { id })),
    removePeer: (id: number) => guard(() => host.call('live.removePeer', { id })),
    type: (id: number, doc: string) => guard(() => host.call('live.type', { id, doc, count: 50, intervalMs: 100 })),
    configure: (c: LiveConfigureArgs) => guard(() => host.call('live.configure', c)),
    recordStart: (everyMs?: number) => guard(async () => (recording.value = await host.call('live.record.start', everyMs ? { everyMs } : {}))),
    recordStop: () => guard(async () => (recording.value = await host.call('live.record.stop'))),
    saveRecording,
    addSimulated: (count: number, editors: number, editsPerSecond: number) =>
      guard(async () => {
        await host.call('live.addSimulated', { count, editors, editsPerSecond });
        await refreshPopulations();
      }),
    removeSimulated: (id: number) =>
      guard(async () => {
        await host.call('live.removeSimulated', { id });
        await refreshPopulations();
      }),
  };
});
