/**
 * The overlay's data-channel wire format (lib0 varint encoding), and the application payloads that ride
 * inside gossip. Readers validate everything and throw `WireError` on anything malformed or out of bounds;
 * the link that carried it is then closed (see Link).
 *
 *   channel message = u8 type | body
 *     GOSSIP      varUint8Array(gossip codec bytes)
 *     SYNC_REQ    varString doc | varUint8Array stateVector     ("this is what I have; send what I lack")
 *     SYNC_REPLY  varString doc | varUint8Array update          (Y.encodeStateAsUpdate(doc, theirSV))
 *     CHUNK       one frame of a larger message of the types here (chunks.ts)
 *     PUSH        varString doc | varUint8Array update          (an update too big for gossip, flooded link by
 *                                                               link: each peer forwards it if it was new there)
 *   gossip payload = u8 kind | body
 *     UPDATE      varString doc | varUint origin | f64 sentAtMs | varUint8Array update
 *     AWARENESS   varString doc | varUint8Array awarenessUpdate
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

export const MSG_GOSSIP = 0;
export const MSG_SYNC_REQ = 1;
export const MSG_SYNC_REPLY = 2;
export const MSG_CHUNK = 3;
export const MSG_PUSH = 4;

export const PAYLOAD_UPDATE = 0;
export const PAYLOAD_AWARENESS = 1;

export const MAX_DOC_NAME = 128;
const DOC_NAME = /^[\w.:/ -]{1,128}$/;

export class WireError extends Error {
  override name = 'WireError';
}

export type ChannelMessage =
  | { type: typeof MSG_GOSSIP; gossip: Uint8Array }
  | { type: typeof MSG_SYNC_REQ; doc: string; stateVector: Uint8Array }
  | { type: typeof MSG_SYNC_REPLY; doc: string; update: Uint8Array }
  | { type: typeof MSG_PUSH; doc: string; update: Uint8Array };

export type GossipPayload =
  | { kind: typeof PAYLOAD_UPDATE; doc: string; origin: number; sentAt: number; update: Uint8Array }
  | { kind: typeof PAYLOAD_AWARENESS; doc: string; awareness: Uint8Array };

export function validDocName(s: string): boolean {
  return DOC_NAME.test(s);
}

function writeDoc(e: encoding.Encoder, doc: string): void {
  if (!validDocName(doc)) throw new WireError(`bad document name ${JSON.stringify(doc).slice(0, 40)}`);
  encoding.writeVarString(e, doc);
}

function readDoc(d: decoding.Decoder): string {
  // bound before decoding: a varString's length prefix is attacker-controlled
  const len = decoding.peekVarUint(d);
  if (len > MAX_DOC_NAME * 4) throw new WireError('document name too long');
  const s = decoding.readVarString(d);
  if (!validDocName(s)) throw new WireError('bad document name');
  return s;
}

function readBytes(d: decoding.Decoder, what: string): Uint8Array {
  const len = decoding.peekVarUint(d);
  if (len > d.arr.length - d.pos) throw new WireError(`${what}: length ${len} past the end`);
  return decoding.readVarUint8Array(d);
}

function done(d: decoding.Decoder): void {
  if (decoding.hasContent(d)) throw new WireError('trailing bytes');
}

export function encodeChannel(m: ChannelMessage): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeUint8(e, m.type);
  switch (m.type) {
    case MSG_GOSSIP:
      encoding.writeVarUint8Array(e, m.gossip);
      break;
    case MSG_SYNC_REQ:
      writeDoc(e, m.doc);
      encoding.writeVarUint8Array(e, m.stateVector);
      break;
    case MSG_SYNC_REPLY:
    case MSG_PUSH:
      writeDoc(e, m.doc);
      encoding.writeVarUint8Array(e, m.update);
      break;
  }
  return encoding.toUint8Array(e);
}

export function decodeChannel(bytes: Uint8Array): ChannelMessage {
  try {
    const d = decoding.createDecoder(bytes);
    const type = decoding.readUint8(d);
    let m: ChannelMessage;
    switch (type) {
      case MSG_GOSSIP:
        m = { type, gossip: readBytes(d, 'gossip') };
        break;
      case MSG_SYNC_REQ: {
        const doc = readDoc(d);
        const stateVector = readBytes(d, 'state vector');
        Y.decodeStateVector(stateVector); // throws if malformed
        m = { type, doc, stateVector };
        break;
      }
      case MSG_SYNC_REPLY:
      case MSG_PUSH: {
        const doc = readDoc(d);
        const update = readBytes(d, 'update');
        Y.decodeUpdate(update);
        m = { type, doc, update };
        break;
      }
      case MSG_CHUNK:
        throw new WireError('a chunk frame where a whole message was expected (chunks do not nest)');
      default:
        throw new WireError(`unknown message type ${type}`);
    }
    done(d);
    return m;
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError(`malformed message: ${(e as Error).message}`);
  }
}

export function encodePayload(p: GossipPayload): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeUint8(e, p.kind);
  writeDoc(e, p.doc);
  if (p.kind === PAYLOAD_UPDATE) {
    encoding.writeVarUint(e, p.origin);
    encoding.writeFloat64(e, p.sentAt);
    encoding.writeVarUint8Array(e, p.update);
  } else {
    encoding.writeVarUint8Array(e, p.awareness);
  }
  return encoding.toUint8Array(e);
}

export function decodePayload(bytes: Uint8Array): GossipPayload {
  try {
    const d = decoding.createDecoder(bytes);
    const kind = decoding.readUint8(d);
    const doc = readDoc(d);
    let p: GossipPayload;
    if (kind === PAYLOAD_UPDATE) {
      const origin = decoding.readVarUint(d);
      const sentAt = decoding.readFloat64(d);
      if (!Number.isFinite(sentAt)) throw new WireError('bad timestamp');
      const update = readBytes(d, 'update');
      Y.decodeUpdate(update);
      p = { kind, doc, origin, sentAt, update };
    } else if (kind === PAYLOAD_AWARENESS) {
      p = { kind, doc, awareness: readBytes(d, 'awareness') };
    } else throw new WireError(`unknown payload kind ${kind}`);
    done(d);
    return p;
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError(`malformed payload: ${(e as Error).message}`);
  }
}
