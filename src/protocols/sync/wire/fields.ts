/**
 * The field readers and writers the sync wire codec (codec.ts) is built from. Each reader bounds what it
 * reads before reading it and throws SyncWireError naming the field; each writer checks its input as strictly.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { varUintLen } from '../../gossip/index.js';
import type { NodeId } from '../../kademlia/index.js';
import { SyncWireError } from '../errors.js';
import { validDocName } from './frames.js';

export const MAX_PEER = 0xffffffff;
const utf8 = new TextEncoder();

/** UTF-8 length of a string (ASCII fast path: session descriptions are ASCII). */
export function utf8Length(s: string): number {
  const n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    return utf8.encode(s).length;
  }
  return n;
}

export function strLen(s: string): number {
  const n = utf8Length(s);
  return varUintLen(n) + n;
}

export function bytesLen(b: Uint8Array): number {
  return varUintLen(b.length) + b.length;
}

export function bad(field: string, problem: string): never {
  throw new SyncWireError(`${field}: ${problem}`);
}

// ---- mirrored readers and writers --------------------------------------------------------------------

export function writePeer(e: encoding.Encoder, p: number, field: string): void {
  if (!Number.isInteger(p) || p < 0 || p > MAX_PEER) bad(field, `not a peer id: ${p}`);
  encoding.writeVarUint(e, p);
}

export function readPeer(d: decoding.Decoder, field: string): number {
  if (d.pos >= d.arr.length) bad(field, 'frame ends early');
  const at = d.pos;
  let v = 0;
  let mult = 1;
  for (let i = 0; ; i++) {
    if (i >= 5 || d.pos >= d.arr.length) bad(field, `bad varint at byte ${at}`);
    const b = d.arr[d.pos++]!;
    v += (b & 0x7f) * mult;
    if (b < 0x80) break;
    mult *= 128;
  }
  if (v > MAX_PEER) bad(field, `peer id ${v} exceeds u32`);
  return v;
}

export function readU8(d: decoding.Decoder, field: string): number {
  if (d.pos >= d.arr.length) bad(field, 'frame ends early');
  return decoding.readUint8(d);
}

export function readU32(d: decoding.Decoder, field: string): number {
  if (d.pos + 4 > d.arr.length) bad(field, 'frame ends early');
  return decoding.readUint32(d);
}

export function readUint(d: decoding.Decoder, field: string): number {
  if (d.pos >= d.arr.length) bad(field, 'frame ends early');
  let n: number;
  try {
    n = decoding.readVarUint(d);
  } catch (e) {
    bad(field, (e as Error).message);
  }
  if (!Number.isSafeInteger(n) || n < 0) bad(field, 'not a valid integer');
  return n;
}

export function readLen(d: decoding.Decoder, field: string, max: number): number {
  const n = readUint(d, `${field} length`);
  if (n > max) bad(field, `${n} bytes exceeds the limit of ${max}`);
  if (n > d.arr.length - d.pos) bad(field, `length ${n} runs past the end`);
  return n;
}

export function readBytes(d: decoding.Decoder, field: string, max: number): Uint8Array {
  const n = readLen(d, field, max);
  const b = d.arr.slice(d.pos, d.pos + n);
  d.pos += n;
  return b;
}

export function readFixed(d: decoding.Decoder, n: number, field: string): Uint8Array {
  if (d.pos + n > d.arr.length) bad(field, 'frame ends early');
  const b = d.arr.slice(d.pos, d.pos + n);
  d.pos += n;
  return b;
}

export function writeFixed(e: encoding.Encoder, b: Uint8Array, n: number, field: string): void {
  if (!(b instanceof Uint8Array) || b.length !== n) bad(field, `expected ${n} bytes`);
  encoding.writeUint8Array(e, b);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function readString(d: decoding.Decoder, field: string, max: number): string {
  const n = readLen(d, field, max);
  let s: string;
  try {
    s = utf8Decoder.decode(d.arr.subarray(d.pos, d.pos + n));
  } catch {
    bad(field, 'not UTF-8');
  }
  d.pos += n;
  return s;
}

export function writeDoc(e: encoding.Encoder, doc: string): void {
  if (typeof doc !== 'string' || !validDocName(doc)) bad('doc', `bad document name ${JSON.stringify(doc).slice(0, 40)}`);
  encoding.writeVarString(e, doc);
}

export function readDoc(d: decoding.Decoder): string {
  const s = readString(d, 'doc', 512);
  if (!validDocName(s)) bad('doc', 'bad document name');
  return s;
}

export function writeId(e: encoding.Encoder, id: NodeId, len: number, mask: number, field: string): void {
  if (!(id instanceof Uint8Array) || id.length !== len) bad(field, `expected a ${len}-byte id`);
  if (((id[len - 1]! & ~mask) & 0xff) !== 0) bad(field, 'bits beyond idBits are set');
  encoding.writeUint8Array(e, id);
}

export function readId(d: decoding.Decoder, len: number, mask: number, field: string): NodeId {
  if (d.pos + len > d.arr.length) bad(field, 'frame ends early');
  const id = d.arr.slice(d.pos, d.pos + len);
  if (((id[len - 1]! & ~mask) & 0xff) !== 0) bad(field, 'bits beyond idBits are set');
  d.pos += len;
  return id;
}

export function checkStateVector(sv: Uint8Array, field: string): void {
  try {
    Y.decodeStateVector(sv);
  } catch (e) {
    bad(field, `not a state vector (${(e as Error).message})`);
  }
}

export function checkUpdate(u: Uint8Array, field: string): void {
  try {
    Y.decodeUpdate(u);
  } catch (e) {
    bad(field, `not a Yjs update (${(e as Error).message})`);
  }
}
