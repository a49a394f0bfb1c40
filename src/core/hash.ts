/**
 * One 32-bit hash of two 32-bit words, for values a model derives rather than draws: per-pair network
 * jitter, a piece's content tokens, a DHT write token. The words are mixed by odd multipliers, then two
 * multiply-xorshift rounds spread every input bit over the output. It never touches an Rng, so deriving
 * a value does not shift any random stream. Its values are part of every run's results: changing it
 * changes summaries.
 */
export function hash32(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ 0xc2b2ae35, 0x27d4eb2d);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}
