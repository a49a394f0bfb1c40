/**
 * Chunking of large channel messages. An SCTP data channel carries messages of at most 256 KiB between
 * node-datachannel and Chromium (both advertise `a=max-message-size:262144`; libdatachannel refuses to
 * send more), and every peerlab link refuses frames above `maxMessageBytes` (1 MiB). A state-vector sync
 * reply for a document of several MiB is one message of several MiB, so it is cut into frames here and
 * put back together on the other side.
 *
 *   CHUNK frame = u8 F_CHUNK | varUint msgId | varUint index | varUint count | varUint total | varUint8Array data
 *
 * The sender numbers its chunked messages 1, 2, 3... per link and sends the frames of one message in order
 * (the channel is reliable and ordered). The receiver is bounded per link: a declared total above
 * `maxMessageBytes`, more than `maxPartial` messages in progress, or more than `maxBufferedBytes` declared by
 * the messages in progress is refused; so is every lie: a msgId that is not fresh, a frame of a message
 * that was never started, a count or total that changes between frames, a frame out of order, an empty or
 * (except the last) too small frame, data past the declared total, or a last frame that leaves it short.
 * A refusal is a `SyncWireError`, which closes that one link as a violation.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { SyncWireError } from '../errors.js';
import { F_CHUNK } from './frames.js';

export interface ChunkLimits {
  /** Largest reassembled message. Default 32 MiB. */
  maxMessageBytes?: number;
  /** Messages in progress at once on one link. Default 4. */
  maxPartial?: number;
  /** Sum of the declared totals of the messages in progress on one link. Default 32 MiB. */
  maxBufferedBytes?: number;
  /** Smallest frame payload except a message's last one (bounds frames per message). Default 1 KiB. */
  minChunkBytes?: number;
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024;

export interface ChunkFrame {
  msgId: number;
  index: number;
  count: number;
  total: number;
  data: Uint8Array;
}

const MAX_VARUINT = 2 ** 53 - 1;

/** Cuts a channel message into frames of at most `chunkBytes` payload; a small message is sent as it is. */
export function chunkMessage(bytes: Uint8Array, msgId: number, chunkBytes = DEFAULT_CHUNK_BYTES): Uint8Array[] {
  if (!(chunkBytes >= 1)) throw new RangeError(`chunkBytes must be >= 1, got ${chunkBytes}`);
  if (bytes.length <= chunkBytes) return [bytes];
  const count = Math.ceil(bytes.length / chunkBytes);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++)
    frames.push(
      encodeChunk({ msgId, index: i, count, total: bytes.length, data: bytes.subarray(i * chunkBytes, Math.min(bytes.length, (i + 1) * chunkBytes)) }),
    );
  return frames;
}

export function encodeChunk(f: ChunkFrame): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeUint8(e, F_CHUNK);
  encoding.writeVarUint(e, f.msgId);
  encoding.writeVarUint(e, f.index);
  encoding.writeVarUint(e, f.count);
  encoding.writeVarUint(e, f.total);
  encoding.writeVarUint8Array(e, f.data);
  return encoding.toUint8Array(e);
}

function readUint(d: decoding.Decoder, what: string): number {
  const n = decoding.readVarUint(d);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_VARUINT) throw new SyncWireError(`chunk ${what}: not a valid integer`);
  return n;
}

/** Decodes one frame's header and payload (no state: see Reassembler for the rules across frames). */
export function decodeChunk(bytes: Uint8Array): ChunkFrame {
  try {
    const d = decoding.createDecoder(bytes);
    const type = decoding.readUint8(d);
    if (type !== F_CHUNK) throw new SyncWireError(`not a chunk frame (type ${type})`);
    const msgId = readUint(d, 'msgId');
    const index = readUint(d, 'index');
    const count = readUint(d, 'count');
    const total = readUint(d, 'total');
    const len = decoding.peekVarUint(d);
    if (len > d.arr.length - d.pos) throw new SyncWireError(`chunk data: length ${len} past the end`);
    const data = decoding.readVarUint8Array(d);
    if (decoding.hasContent(d)) throw new SyncWireError('chunk: trailing bytes');
    return { msgId, index, count, total, data };
  } catch (e) {
    if (e instanceof SyncWireError) throw e;
    throw new SyncWireError(`malformed chunk: ${(e as Error).message}`);
  }
}

interface Partial {
  count: number;
  total: number;
  next: number;
  got: number;
  parts: Uint8Array[];
}

/** Puts one link's chunked messages back together, within bounds (one instance per link). */
export class Reassembler {
  private readonly partial = new Map<number, Partial>();
  private lastId = 0;
  private reserved = 0;
  readonly limits: Required<ChunkLimits>;

  constructor(limits: ChunkLimits = {}) {
    this.limits = {
      maxMessageBytes: limits.maxMessageBytes ?? 32 * 1024 * 1024,
      maxPartial: limits.maxPartial ?? 4,
      maxBufferedBytes: limits.maxBufferedBytes ?? 32 * 1024 * 1024,
      minChunkBytes: limits.minChunkBytes ?? 1024,
    };
  }

  /** Messages in progress. */
  get pending(): number {
    return this.partial.size;
  }

  /** Sum of the declared totals of the messages in progress. */
  get bufferedBytes(): number {
    return this.reserved;
  }

  /** Takes one CHUNK frame; returns the whole message when this frame completes it, else null. */
  push(frame: Uint8Array): Uint8Array | null {
    const f = decodeChunk(frame);
    const L = this.limits;
    let p = this.partial.get(f.msgId);
    if (f.index === 0) {
      if (f.msgId <= this.lastId) throw new SyncWireError(`chunk: message id ${f.msgId} is not fresh (last ${this.lastId})`);
      if (f.total > L.maxMessageBytes) throw new SyncWireError(`chunk: message of ${f.total} bytes > ${L.maxMessageBytes}`);
      if (f.count < 2 || f.count > f.total || f.count > Math.ceil(f.total / L.minChunkBytes))
        throw new SyncWireError(`chunk: count ${f.count} impossible for ${f.total} bytes`);
      if (this.partial.size >= L.maxPartial) throw new SyncWireError(`chunk: more than ${L.maxPartial} messages in progress`);
      if (this.reserved + f.total > L.maxBufferedBytes)
        throw new SyncWireError(`chunk: ${this.reserved + f.total} bytes in progress > ${L.maxBufferedBytes}`);
      this.lastId = f.msgId;
      p = { count: f.count, total: f.total, next: 0, got: 0, parts: [] };
      this.partial.set(f.msgId, p);
      this.reserved += f.total;
    } else if (!p) throw new SyncWireError(`chunk: frame ${f.index} of message ${f.msgId}, which was never started`);
    if (f.count !== p.count || f.total !== p.total) throw new SyncWireError(`chunk: message ${f.msgId} changed its count or total`);
    if (f.index !== p.next) throw new SyncWireError(`chunk: frame ${f.index} of message ${f.msgId} out of order (expected ${p.next})`);
    const last = f.index === p.count - 1;
    const got = p.got + f.data.length;
    if (f.data.length === 0) throw new SyncWireError('chunk: empty frame');
    if (!last && f.data.length < L.minChunkBytes) throw new SyncWireError(`chunk: frame of ${f.data.length} bytes < ${L.minChunkBytes}`);
    // every frame still to come carries at least one byte
    if (got + (p.count - 1 - f.index) > p.total) throw new SyncWireError(`chunk: message ${f.msgId} runs past its declared ${p.total} bytes`);
    if (last && got !== p.total) throw new SyncWireError(`chunk: message ${f.msgId} ends at ${got} of its declared ${p.total} bytes`);
    p.parts.push(f.data);
    p.got = got;
    p.next++;
    if (!last) return null;
    this.partial.delete(f.msgId);
    this.reserved -= p.total;
    const out = new Uint8Array(p.total);
    let at = 0;
    for (const part of p.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
