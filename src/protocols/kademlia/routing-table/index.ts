/**
 * The routing table: k-buckets as leaves of the paper's binary tree, with least-recently-seen
 * eviction guarded by a ping, a replacement cache, splitting of the bucket holding our own id, and
 * the relaxed splitting rule of accelerated lookups (b bits per digit); stored compactly (an arena
 * region per table, contacts as refs into a book).
 */
export * from './arena.js';
export * from './contact-book.js';
export * from './k-bucket.js';
export * from './routing-table.js';
