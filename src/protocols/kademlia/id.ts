/**
 * Node ids and keys: `idBits` wide (160 by default, as in the paper), stored big-endian in a
 * Uint8Array of ceil(idBits / 8) bytes whose unused low bits of the last byte are zero.
 *
 * Distances are never materialised on the hot path: `compareDistance` xors byte by byte and stops at
 * the first differing byte, and `commonPrefixLength` (the bucket index of the flat view) scans with
 * Math.clz32. `xorDistance` builds the distance for tests and display.
 */
import type { Rng } from '../../core/index.js';

export type NodeId = Uint8Array;

export const DEFAULT_ID_BITS = 160;
export const MIN_ID_BITS = 8;
export const MAX_ID_BITS = 512;

export function idBytes(idBits: number): number {
  return (idBits + 7) >>> 3;
}

/** Mask of the bits of the last byte that are in use. */
export function lastByteMask(idBits: number): number {
  const r = idBits & 7;
  return r === 0 ? 0xff : (0xff << (8 - r)) & 0xff;
}

export function checkIdBits(idBits: number, key = 'idBits'): void {
  if (!Number.isInteger(idBits) || idBits < MIN_ID_BITS || idBits > MAX_ID_BITS)
    throw new RangeError(`${key}: expected an integer in [${MIN_ID_BITS}, ${MAX_ID_BITS}], got ${idBits}`);
}

/** A uniformly random id of `idBits` bits from a seeded generator. */
export function randomId(rng: Rng, idBits: number): NodeId {
  return randomIdInto(rng, idBits, new Uint8Array(idBytes(idBits)));
}

/** `randomId` written into `id` (exactly idBytes(idBits) long, e.g. a view of a shared buffer); returns it. */
export function randomIdInto(rng: Rng, idBits: number, id: Uint8Array): NodeId {
  const n = idBytes(idBits);
  if (id.length !== n) throw new RangeError(`randomIdInto: ${id.length} bytes, idBits=${idBits} needs ${n}`);
  for (let i = 0; i < n; i += 4) {
    const x = rng.nextU32();
    id[i] = x >>> 24;
    if (i + 1 < n) id[i + 1] = (x >>> 16) & 0xff;
    if (i + 2 < n) id[i + 2] = (x >>> 8) & 0xff;
    if (i + 3 < n) id[i + 3] = x & 0xff;
  }
  id[n - 1] = id[n - 1]! & lastByteMask(idBits);
  return id;
}

/** d(a, b) = a XOR b, as bytes (big-endian: compare it as a number byte by byte). */
export function xorDistance(a: NodeId, b: NodeId): Uint8Array {
  if (a.length !== b.length) throw new RangeError(`xorDistance: ids of ${a.length} and ${b.length} bytes`);
  const d = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i]! ^ b[i]!;
  return d;
}

/** The distance as a bigint (for tests and display; a 160-bit number does not fit a double). */
export function distanceBigInt(a: NodeId, b: NodeId): bigint {
  let v = 0n;
  for (let i = 0; i < a.length; i++) v = (v << 8n) | BigInt(a[i]! ^ b[i]!);
  return v;
}

/** Sign of d(a, target) - d(b, target): negative when a is closer to target than b. */
export function compareDistance(a: NodeId, b: NodeId, target: NodeId): number {
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    const da = a[i]! ^ t;
    const db = b[i]! ^ t;
    if (da !== db) return da - db;
  }
  return 0;
}

/**
 * Number of leading bits a and b share; equals idBits' byte width * 8 when a === b (so callers cap
 * it at idBits). In the flat view this is the k-bucket index: bucket i holds the ids sharing exactly
 * i leading bits with our own (at distance in [2^(B-1-i), 2^(B-i))).
 */
export function commonPrefixLength(a: NodeId, b: NodeId): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return a.length * 8;
}

/** Bucket index in the flat view: the length of the shared prefix (idBits for the same id). */
export function bucketIndex(self: NodeId, other: NodeId, idBits: number): number {
  return Math.min(commonPrefixLength(self, other), idBits);
}

/** The bit at position `pos` (0 = most significant). */
export function bitAt(id: NodeId, pos: number): number {
  return (id[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
}

export function idEquals(a: NodeId, b: NodeId): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  // from the last byte: ids in one bucket share their leading bytes, so they differ soonest at the end
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/** Does `id` start with the first `depth` bits of `prefix`? */
export function hasPrefix(id: NodeId, prefix: NodeId, depth: number): boolean {
  const full = depth >>> 3;
  for (let i = 0; i < full; i++) if (id[i] !== prefix[i]) return false;
  const r = depth & 7;
  if (r === 0) return true;
  const mask = (0xff << (8 - r)) & 0xff;
  return ((id[full]! ^ prefix[full]!) & mask) === 0;
}

/**
 * A random id that starts with the first `depth` bits of `prefix` (a bucket refresh picks its target
 * in the bucket's range this way).
 */
export function randomIdWithPrefix(rng: Rng, prefix: NodeId, depth: number, idBits: number): NodeId {
  const id = randomId(rng, idBits);
  const full = depth >>> 3;
  for (let i = 0; i < full; i++) id[i] = prefix[i]!;
  const r = depth & 7;
  if (r !== 0 && full < id.length) {
    const mask = (0xff << (8 - r)) & 0xff;
    id[full] = (prefix[full]! & mask) | (id[full]! & ~mask & 0xff);
  }
  return id;
}

export function toHex(id: NodeId): string {
  let s = '';
  for (let i = 0; i < id.length; i++) s += id[i]!.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string, idBits: number): NodeId {
  const n = idBytes(idBits);
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== n * 2) throw new RangeError(`fromHex: expected ${n * 2} hex digits, got '${hex}'`);
  const id = new Uint8Array(n);
  for (let i = 0; i < n; i++) id[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  if ((id[n - 1]! & ~lastByteMask(idBits) & 0xff) !== 0) throw new RangeError(`fromHex: bits beyond idBits=${idBits} are set`);
  return id;
}
