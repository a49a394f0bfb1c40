/**
 * One link's byte framing: frames out through the codec, cut into chunks when larger than `chunkBytes`
 * (an SCTP data channel carries at most 256 KiB per message between browsers and node-datachannel), and
 * back in through reassembly (bounded per link, see chunks.ts) and the validating decoder. Live links and
 * the test network's wire mode use it; the simulator passes frame objects and skips it.
 */
import { SyncWireError } from '../errors.js';
import { chunkMessage, DEFAULT_CHUNK_BYTES, Reassembler } from './chunks.js';
import type { SyncCodec } from './codec.js';
import { F_CHUNK, type Frame } from './frames.js';

export interface FramingOptions {
  /** Frames larger than this go in chunks of this size. Default 64 KiB. */
  chunkBytes?: number;
  /** Largest frame sent or reassembled (so the largest document that syncs). Default 32 MiB. */
  maxAssembledBytes?: number;
}

export class LinkFraming {
  private nextMsgId = 1;
  private readonly reassembly: Reassembler;
  readonly chunkBytes: number;
  readonly maxAssembledBytes: number;
  chunkedOut = 0;
  chunkedIn = 0;

  constructor(
    private readonly codec: SyncCodec,
    opts: FramingOptions = {},
  ) {
    this.chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.maxAssembledBytes = opts.maxAssembledBytes ?? 32 * 1024 * 1024;
    this.reassembly = new Reassembler({ maxMessageBytes: this.maxAssembledBytes, maxBufferedBytes: this.maxAssembledBytes, minChunkBytes: Math.min(1024, this.chunkBytes) });
  }

  /** The channel messages carrying `f`; null if it is larger than maxAssembledBytes (not sent). */
  encode(f: Frame): Uint8Array[] | null {
    const bytes = this.codec.encode(f);
    if (bytes.length > this.maxAssembledBytes) return null;
    if (bytes.length <= this.chunkBytes) return [bytes];
    this.chunkedOut++;
    return chunkMessage(bytes, this.nextMsgId++, this.chunkBytes);
  }

  /** A channel message in: the frame it completes, or null while a chunked one is still arriving. Throws SyncWireError. */
  decode(bytes: Uint8Array): { frame: Frame; bytes: number } | null {
    if (bytes.length === 0) throw new SyncWireError('empty message');
    let whole: Uint8Array | null = bytes;
    if (bytes[0] === F_CHUNK) {
      whole = this.reassembly.push(bytes);
      if (whole === null) return null;
      this.chunkedIn++;
    }
    return { frame: this.codec.decode(whole), bytes: whole.length };
  }
}
