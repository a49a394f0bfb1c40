/**
 * Where peers and rooms sit in the DHT. A peer's Kademlia node id is a hash of its peer id (so a DHT
 * message whose `sender` is not the hash of the peer it came from is a lie, and is dropped); a room is
 * the hash of its name. Ids are `idBits` wide (64 by default: a room of 10^4 peers needs ~14 bits, and
 * every contact on the wire costs its id's bytes).
 */
import { idBytes, lastByteMask, type NodeId } from '../kademlia/index.js';

/** murmur3's 32-bit finaliser: every input bit flips about half the output bits. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fills `idBits` bits from a 32-bit seed word and a stream index (counter mode over fmix32). */
function expand(seed: number, idBits: number): NodeId {
  const n = idBytes(idBits);
  const id = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const x = fmix32((seed ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0);
    for (let j = 0; j < 4 && i + j < n; j++) id[i + j] = (x >>> (24 - 8 * j)) & 0xff;
  }
  id[n - 1] = id[n - 1]! & lastByteMask(idBits);
  return id;
}

/** The DHT node id of a peer (peer ids are u32 on the wire). */
export function nodeIdOf(peer: number, idBits: number): NodeId {
  return expand(fmix32((peer >>> 0) ^ 0x5bd1e995), idBits);
}

/** The DHT key of a room: members announce themselves under it and look each other up by it. */
export function roomKey(room: string, idBits: number): NodeId {
  let h = 0x811c9dc5;
  for (let i = 0; i < room.length; i++) h = Math.imul(h ^ room.charCodeAt(i), 0x01000193);
  return expand(fmix32(h ^ 0x27d4eb2d), idBits);
}
