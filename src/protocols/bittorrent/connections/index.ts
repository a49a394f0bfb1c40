/**
 * TCP-like connections: `rows.ts` (each peer's connection state as typed-array rows), `conn.ts` (one
 * side of a connection, accessors into its row), `conn-list.ts` (a peer's connections in the order
 * made), `lifecycle.ts` (dial, accept, refuse, close, violations).
 */
export * from './rows.js';
export * from './conn.js';
export * from './conn-list.js';
export * from './lifecycle.js';
