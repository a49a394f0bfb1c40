/**
 * The measured code of every bench, by the name a bench file's `case` gives. Each loads lazily, so
 * `peerlab bench engine` does not load WebRTC or the dashboard's host.
 */
import type { BenchCase } from '../runner.js';

export const cases: Record<string, () => Promise<BenchCase>> = {
  'engine-mix': async () => (await import('./engine-mix.js')).benchCase,
  'gossip-broadcast': async () => (await import('./gossip-broadcast.js')).benchCase,
  'kademlia-lookups': async () => (await import('./kademlia-lookups.js')).benchCase,
  'bittorrent-flash-crowd': async () => (await import('./bittorrent-flash-crowd.js')).benchCase,
  'hybrid-flash-crowd': async () => (await import('./hybrid-flash-crowd.js')).benchCase,
  'adaptive-overlay': async () => (await import('./adaptive-overlay.js')).benchCase,
  'sync-edits': async () => (await import('./sync-edits.js')).benchCase,
  'sync-sim': async () => (await import('./sync-sim.js')).benchCase,
  'dashboard-timeline': async () => (await import('./dashboard-timeline.js')).benchCase,
  'dashboard-graph': async () => (await import('./dashboard-graph.js')).benchCase,
  'live-recording': async () => (await import('./live-recording.js')).benchCase,
};
