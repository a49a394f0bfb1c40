/**
 * The RPCs: message types (PING, FIND_NODE, FIND_VALUE, STORE and their replies), the mirrored
 * binary codec with strict bounds, and one handler per request.
 */
export * from './messages.js';
export * from './codec.js';
export * from './handlers/index.js';
