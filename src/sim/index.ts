/**
 * The simulation engine: virtual time, a seeded PRNG, the event queue, the network model, the world
 * of peers and protocols, churn, and metrics. Imports nothing of Node, the DOM or Electron, so it runs
 * in a worker, the main process, the browser or a test alike.
 */
export * from './types.js';
export * from './rng.js';
export * from './queue.js';
export * from './engine.js';
export * from './feed.js';
export * from './network.js';
export * from './world.js';
export * from './churn.js';
export * from './partitions.js';
export * from './metrics.js';
