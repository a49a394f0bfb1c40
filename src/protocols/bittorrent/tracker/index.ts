/** The tracker: a list of the online peers that announced, answering with a random subset. */
export * from './tracker.js';
