/**
 * Moving blocks: `download.ts` (what neighbours have, interest, requests), `upload.ts` (the uplink,
 * piece by piece), `verify.ts` (a block arrives, hash checks, becoming a seed).
 */
export * from './download.js';
export * from './upload.js';
export * from './verify.js';
