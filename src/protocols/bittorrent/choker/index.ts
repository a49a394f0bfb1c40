/** Choking: `choker.ts` (tit-for-tat rechoke, slots freed between rechokes, seeds' rule), `optimistic.ts`. */
export * from './choker.js';
export * from './optimistic.js';
