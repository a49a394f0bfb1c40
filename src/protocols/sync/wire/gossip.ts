/**
 * Plumtree messages on a sync link in the fewest bytes. Every update reaches every peer as a copy along
 * its origin's tree, and most peers announce it to a lazy neighbour or two, so the framing of these two
 * messages is paid about three times per edit and peer (docs/sync.md, "where the bytes go"). Here the
 * frame's type byte says which Plumtree message it is (and for a copy whether it is an anti-entropy
 * repair), and a copy's payload and an IHAVE's list run to the frame's end instead of carrying a length
 * or a count: a copy costs 3 bytes less than the gossip codec's GOSSIP inside a frame, an IHAVE 2 less.
 *
 *   COPY, REPAIR_COPY = msgId | varUint round | payload (to the end)
 *   IHAVE             = 1..maxIds x (msgId | varUint round) (to the end)
 *   GRAFT             = msgId | varUint round
 *   PRUNE             = (empty);  PRUNE_OF = varUint origin
 *   msgId             = varUint origin | varUint session | varUint seq
 * Plumtree's DIGEST and REPAIR (its own anti-entropy, off in the sync peer) go as a GOSSIP frame holding
 * the gossip codec's message. Readers bound what they read and throw SyncWireError naming the field.
 */
import type * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { GOSSIP, GRAFT, IHAVE, PRUNE, validateMsg, varUintLen, writeMsgId, type MsgId, type PlumtreeCodec, type PlumtreeMsg } from '../../gossip/index.js';
import { bad, readUint } from './fields.js';
import { F_GOSSIP } from './frames.js';

/** Wire types of the compact Plumtree frames (decoded as GOSSIP frames). */
export const W_COPY = 14;
export const W_REPAIR_COPY = 15;
export const W_IHAVE = 16;
export const W_GRAFT = 17;
export const W_PRUNE = 18;
export const W_PRUNE_OF = 19;

export function isCompactGossip(wireType: number): boolean {
  return wireType >= W_COPY && wireType <= W_PRUNE_OF;
}

function idLen(id: MsgId): number {
  return varUintLen(id.origin) + varUintLen(id.session) + varUintLen(id.seq);
}

/** The frame's encoded length (type byte included). */
export function gossipFrameSize(g: PlumtreeMsg, codec: PlumtreeCodec): number {
  switch (g.type) {
    case GOSSIP:
      return 1 + idLen(g.id) + varUintLen(g.round) + g.payload.length;
    case IHAVE: {
      let s = 1;
      for (const x of g.ids) s += idLen(x.id) + varUintLen(x.round);
      return s;
    }
    case GRAFT:
      return 1 + idLen(g.id) + varUintLen(g.round);
    case PRUNE:
      return 1 + (g.origin !== undefined ? varUintLen(g.origin) : 0);
    default:
      return 1 + codec.sizeOf(g);
  }
}

/** Writes the whole frame (type byte included). */
export function writeGossipFrame(e: encoding.Encoder, g: PlumtreeMsg, codec: PlumtreeCodec): void {
  if (!validateMsg(g, codec.limits)) bad('gossip', 'not a valid Plumtree message');
  switch (g.type) {
    case GOSSIP:
      encoding.writeUint8(e, g.repair ? W_REPAIR_COPY : W_COPY);
      writeMsgId(e, g.id);
      encoding.writeVarUint(e, g.round);
      encoding.writeUint8Array(e, g.payload);
      return;
    case IHAVE:
      encoding.writeUint8(e, W_IHAVE);
      for (const x of g.ids) {
        writeMsgId(e, x.id);
        encoding.writeVarUint(e, x.round);
      }
      return;
    case GRAFT:
      encoding.writeUint8(e, W_GRAFT);
      writeMsgId(e, g.id);
      encoding.writeVarUint(e, g.round);
      return;
    case PRUNE:
      if (g.origin === undefined) encoding.writeUint8(e, W_PRUNE);
      else {
        encoding.writeUint8(e, W_PRUNE_OF);
        encoding.writeVarUint(e, g.origin);
      }
      return;
    default:
      encoding.writeUint8(e, F_GOSSIP);
      encoding.writeUint8Array(e, codec.encode(g));
  }
}

function readId(d: decoding.Decoder, field: string): MsgId {
  return { origin: readUint(d, `${field}.origin`), session: readUint(d, `${field}.session`), seq: readUint(d, `${field}.seq`) };
}

/** Reads the body of a compact frame of type `wireType` (isCompactGossip), up to the frame's end. */
export function readGossipFrame(d: decoding.Decoder, wireType: number, codec: PlumtreeCodec): PlumtreeMsg {
  const end = d.arr.length;
  switch (wireType) {
    case W_COPY:
    case W_REPAIR_COPY: {
      const id = readId(d, 'copy.id');
      const round = readUint(d, 'copy.round');
      const n = end - d.pos;
      if (n > codec.limits.maxPayloadBytes) bad('copy.payload', `${n} bytes exceeds the limit of ${codec.limits.maxPayloadBytes}`);
      const payload = d.arr.slice(d.pos, end);
      d.pos = end;
      return { type: GOSSIP, id, round, payload, repair: wireType === W_REPAIR_COPY };
    }
    case W_IHAVE: {
      const ids: { id: MsgId; round: number }[] = [];
      do {
        if (ids.length >= codec.limits.maxIds) bad('ihave', `more than ${codec.limits.maxIds} ids`);
        const id = readId(d, `ihave[${ids.length}]`);
        ids.push({ id, round: readUint(d, `ihave[${ids.length}].round`) });
      } while (d.pos < end);
      return { type: IHAVE, ids };
    }
    case W_GRAFT: {
      const id = readId(d, 'graft.id');
      return { type: GRAFT, id, round: readUint(d, 'graft.round') };
    }
    case W_PRUNE:
      return { type: PRUNE };
    case W_PRUNE_OF:
      return { type: PRUNE, origin: readUint(d, 'prune.origin') };
    default:
      return bad('type', `not a gossip frame type: ${wireType}`);
  }
}
