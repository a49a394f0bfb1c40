/** Piece picking: `picker.ts` (strict priority, random first, rarest first), `endgame.ts`. */
export * from './picker.js';
export * from './endgame.js';
