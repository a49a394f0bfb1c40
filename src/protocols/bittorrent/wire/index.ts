/**
 * The BEP 3 peer wire messages: `messages.ts` (types and sizes), `send.ts` (one sender per type),
 * `receive.ts` (in-order delivery and one handler per type, the senders' mirrors).
 */
export * from './messages.js';
export * from './send.js';
export { receive } from './receive.js';
