/** Super-seeding (BEP 16) for the initial seeds. */
export * from './super-seed.js';
