/**
 * Iterative lookups: the sans-IO state machine of one FIND_NODE / FIND_VALUE lookup (alpha
 * parallelism, k-closest termination, optional disjoint paths), and the typed events a lookup emits.
 */
export * from './lookup.js';
export * from './events.js';
