/**
 * What rides inside a gossip or flood message: a document update or an awareness update.
 *
 *   payload   = u8 kind | varString doc | body
 *   UPDATE    = update (to the end)
 *   UPDATE_AT = f64 sentAtMs | update (to the end)      (live peers stamp their wall clock for arrival latency)
 *   AWARENESS = awarenessUpdate (to the end)
 *
 * The origin is not repeated here: it is in the gossip message id. The body carries no length: the message
 * around the payload (a gossip copy, a flood frame, a seal) delimits it, and every copy of every update
 * carries a payload, so a length byte there is paid once per edit and peer. `decodePayload` validates like the
 * frame codec (a Yjs update is decoded before use) and throws SyncWireError.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { varUintLen } from '../../gossip/index.js';
import { SyncWireError } from '../errors.js';
import { utf8Length } from './codec.js';
import { validDocName } from './frames.js';

export const P_UPDATE = 0;
export const P_UPDATE_AT = 1;
export const P_AWARENESS = 2;

export type Payload =
  | { kind: typeof P_UPDATE; doc: string; update: Uint8Array }
  | { kind: typeof P_UPDATE_AT; doc: string; sentAt: number; update: Uint8Array }
  | { kind: typeof P_AWARENESS; doc: string; awareness: Uint8Array };

export function encodePayload(p: Payload): Uint8Array {
  if (!validDocName(p.doc)) throw new SyncWireError(`payload.doc: bad document name ${JSON.stringify(p.doc).slice(0, 40)}`);
  const e = encoding.createEncoder();
  encoding.writeUint8(e, p.kind);
  encoding.writeVarString(e, p.doc);
  switch (p.kind) {
    case P_UPDATE:
      encoding.writeUint8Array(e, p.update);
      break;
    case P_UPDATE_AT:
      encoding.writeFloat64(e, p.sentAt);
      encoding.writeUint8Array(e, p.update);
      break;
    case P_AWARENESS:
      encoding.writeUint8Array(e, p.awareness);
      break;
  }
  return encoding.toUint8Array(e);
}

/** encodePayload(p).length without encoding. */
export function payloadSize(p: Payload): number {
  const doc = utf8Length(p.doc);
  const body = p.kind === P_AWARENESS ? p.awareness : p.update;
  return 1 + varUintLen(doc) + doc + (p.kind === P_UPDATE_AT ? 8 : 0) + body.length;
}

/** The kind byte without decoding (what the traffic counters classify by). */
export function payloadKind(bytes: Uint8Array): number {
  return bytes.length > 0 ? bytes[0]! : -1;
}

/** The rest of the payload (a view, not a copy: payload bytes are never written to). */
function rest(d: decoding.Decoder): Uint8Array {
  const b = d.arr.subarray(d.pos);
  d.pos = d.arr.length;
  return b;
}

/**
 * Reads a payload. With `validate` (live peers) the Yjs update inside is decoded first, so a malformed one
 * is refused before it reaches a document; the simulator's peers trust each other and skip that.
 */
export function decodePayload(bytes: Uint8Array, validate = true): Payload {
  try {
    const d = decoding.createDecoder(bytes);
    const kind = decoding.readUint8(d);
    const len = decoding.peekVarUint(d);
    if (len > 512) throw new SyncWireError('payload.doc: name too long');
    const doc = decoding.readVarString(d);
    if (!validDocName(doc)) throw new SyncWireError('payload.doc: bad document name');
    let p: Payload;
    switch (kind) {
      case P_UPDATE: {
        const update = rest(d);
        if (validate) Y.decodeUpdate(update);
        p = { kind, doc, update };
        break;
      }
      case P_UPDATE_AT: {
        if (d.pos + 8 > bytes.length) throw new SyncWireError('payload.sentAt: ends early');
        const sentAt = decoding.readFloat64(d);
        if (!Number.isFinite(sentAt)) throw new SyncWireError('payload.sentAt: not a finite number');
        const update = rest(d);
        if (validate) Y.decodeUpdate(update);
        p = { kind, doc, sentAt, update };
        break;
      }
      case P_AWARENESS:
        p = { kind, doc, awareness: rest(d) };
        break;
      default:
        throw new SyncWireError(`payload.kind: unknown kind ${kind}`);
    }
    if (decoding.hasContent(d)) throw new SyncWireError('payload: trailing bytes');
    return p;
  } catch (e) {
    if (e instanceof SyncWireError) throw e;
    throw new SyncWireError(`payload: malformed (${(e as Error).message})`);
  }
}
