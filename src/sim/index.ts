/**
 * The simulation engine: virtual time, the event queue, the network model, the world of peers and
 * protocols, churn, partitions, the observer feed and snapshots. It takes ids, Rng and the sans-IO
 * contract from the kernel (src/core) and imports nothing else: no packages, nothing of Node, the DOM
 * or Electron, so it runs in a worker, the main process, the browser or a test alike.
 */
export * from './queue.js';
export * from './engine.js';
export * from './feed.js';
export * from './network.js';
export * from './world.js';
export * from './churn.js';
export * from './partitions.js';
export * from './snapshot.js';
