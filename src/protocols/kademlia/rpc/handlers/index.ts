/** One handler per request type: each turns a request into its reply, and nothing else. */
export * from './context.js';
export * from './ping.js';
export * from './find-node.js';
export * from './find-value.js';
export * from './store.js';
