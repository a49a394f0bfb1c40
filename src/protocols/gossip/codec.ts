/**
 * Wire format of the Plumtree core's messages, for live peers that put them on a data channel.
 * Encoder and decoder mirror each other (`writeMsgId` / `readMsgId`); every length and count is bounded
 * and anything malformed throws `GossipDecodeError` naming what was wrong, so a peer's bad bytes never
 * reach the core.
 *
 *   msg     = u8 type | body
 *   GOSSIP  = u8 flags (1: repair) | msgId | varUint round | varUint8Array payload
 *   IHAVE   = varUint count (1..maxIds) | count x (msgId | varUint round)
 *   GRAFT   = msgId | varUint round   (in a per-origin tree: that message and the origin's later ones)
 *   PRUNE   = (empty)
 *   PRUNE_OF = varUint origin     (type 7: a PRUNE of one origin's tree, for per-origin trees)
 *   DIGEST  = u8 reply (0|1) | varUint8Array digest
 *   REPAIR  = varUint8Array payload
 *   msgId   = varUint origin | varUint session | varUint seq
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const GOSSIP = 1;
export const IHAVE = 2;
export const GRAFT = 3;
export const PRUNE = 4;
export const DIGEST = 5;
export const REPAIR = 6;
/** Wire type of a PRUNE naming its origin (decoded as a PRUNE with `origin`). */
export const PRUNE_OF = 7;

/** A broadcast's identity: the origin peer, a random per-instance session, and a sequence number. */
export interface MsgId {
  origin: number;
  session: number;
  seq: number;
}

export type PlumtreeMsg =
  | { type: typeof GOSSIP; id: MsgId; round: number; payload: Uint8Array; repair: boolean }
  | { type: typeof IHAVE; ids: { id: MsgId; round: number }[] }
  | { type: typeof GRAFT; id: MsgId; round: number }
  | { type: typeof PRUNE; origin?: number }
  | { type: typeof DIGEST; reply: boolean; digest: Uint8Array }
  | { type: typeof REPAIR; payload: Uint8Array };

export class GossipDecodeError extends Error {
  override name = 'GossipDecodeError';
}

export interface CodecLimits {
  /** Largest payload (GOSSIP, REPAIR), bytes. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Most ids in one IHAVE. Default 1024. */
  maxIds?: number;
  /** Largest anti-entropy digest, bytes. Default 256 KiB. */
  maxDigestBytes?: number;
}

export interface PlumtreeCodec {
  encode(msg: PlumtreeMsg): Uint8Array;
  decode(bytes: Uint8Array): PlumtreeMsg;
  /** Encoded size without encoding (for the simulator's bandwidth model). */
  sizeOf(msg: PlumtreeMsg): number;
  readonly limits: Required<CodecLimits>;
}

const MAX_ID = 2 ** 53 - 1;

/** Bytes lib0's writeVarUint takes for `n` (sizes without encoding). */
export function varUintLen(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

export function writeMsgId(e: encoding.Encoder, id: MsgId): void {
  encoding.writeVarUint(e, id.origin);
  encoding.writeVarUint(e, id.session);
  encoding.writeVarUint(e, id.seq);
}

function readNum(d: decoding.Decoder, what: string): number {
  if (d.pos >= d.arr.length) throw new GossipDecodeError(`${what}: message ends early`);
  let n: number;
  try {
    n = decoding.readVarUint(d);
  } catch (e) {
    throw new GossipDecodeError(`${what}: ${(e as Error).message}`);
  }
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ID) throw new GossipDecodeError(`${what}: not a valid integer`);
  return n;
}

export function readMsgId(d: decoding.Decoder): MsgId {
  return { origin: readNum(d, 'origin'), session: readNum(d, 'session'), seq: readNum(d, 'seq') };
}

function readBytes(d: decoding.Decoder, what: string, max: number): Uint8Array {
  const len = readNum(d, `${what} length`);
  if (len > max) throw new GossipDecodeError(`${what}: ${len} bytes exceeds the limit of ${max}`);
  if (d.pos + len > d.arr.length) throw new GossipDecodeError(`${what}: length ${len} runs past the end`);
  const out = d.arr.slice(d.pos, d.pos + len);
  d.pos += len;
  return out;
}

function idLen(id: MsgId): number {
  return varUintLen(id.origin) + varUintLen(id.session) + varUintLen(id.seq);
}

export function createCodec(limits: CodecLimits = {}): PlumtreeCodec {
  const lim: Required<CodecLimits> = {
    maxPayloadBytes: limits.maxPayloadBytes ?? 1024 * 1024,
    maxIds: limits.maxIds ?? 1024,
    maxDigestBytes: limits.maxDigestBytes ?? 256 * 1024,
  };
  return {
    limits: lim,
    encode(m) {
      const e = encoding.createEncoder();
      encoding.writeUint8(e, m.type === PRUNE && m.origin !== undefined ? PRUNE_OF : m.type);
      switch (m.type) {
        case GOSSIP:
          encoding.writeUint8(e, m.repair ? 1 : 0);
          writeMsgId(e, m.id);
          encoding.writeVarUint(e, m.round);
          encoding.writeVarUint8Array(e, m.payload);
          break;
        case IHAVE:
          encoding.writeVarUint(e, m.ids.length);
          for (const x of m.ids) {
            writeMsgId(e, x.id);
            encoding.writeVarUint(e, x.round);
          }
          break;
        case GRAFT:
          writeMsgId(e, m.id);
          encoding.writeVarUint(e, m.round);
          break;
        case PRUNE:
          if (m.origin !== undefined) encoding.writeVarUint(e, m.origin);
          break;
        case DIGEST:
          encoding.writeUint8(e, m.reply ? 1 : 0);
          encoding.writeVarUint8Array(e, m.digest);
          break;
        case REPAIR:
          encoding.writeVarUint8Array(e, m.payload);
          break;
      }
      return encoding.toUint8Array(e);
    },
    decode(bytes) {
      if (!(bytes instanceof Uint8Array)) throw new GossipDecodeError('expected bytes');
      if (bytes.length === 0) throw new GossipDecodeError('empty message');
      const d = decoding.createDecoder(bytes);
      const type = decoding.readUint8(d);
      let m: PlumtreeMsg;
      switch (type) {
        case GOSSIP: {
          if (d.pos >= bytes.length) throw new GossipDecodeError('gossip flags: message ends early');
          const flags = decoding.readUint8(d);
          if (flags > 1) throw new GossipDecodeError(`gossip flags: unknown bits ${flags}`);
          const id = readMsgId(d);
          const round = readNum(d, 'round');
          const payload = readBytes(d, 'payload', lim.maxPayloadBytes);
          m = { type, id, round, payload, repair: flags === 1 };
          break;
        }
        case IHAVE: {
          const count = readNum(d, 'ihave count');
          if (count < 1 || count > lim.maxIds) throw new GossipDecodeError(`ihave count: ${count} not in [1, ${lim.maxIds}]`);
          const ids: { id: MsgId; round: number }[] = [];
          for (let i = 0; i < count; i++) ids.push({ id: readMsgId(d), round: readNum(d, 'round') });
          m = { type, ids };
          break;
        }
        case GRAFT:
          m = { type, id: readMsgId(d), round: readNum(d, 'round') };
          break;
        case PRUNE:
          m = { type };
          break;
        case PRUNE_OF:
          m = { type: PRUNE, origin: readNum(d, 'origin') };
          break;
        case DIGEST: {
          if (d.pos >= bytes.length) throw new GossipDecodeError('digest flag: message ends early');
          const reply = decoding.readUint8(d);
          if (reply > 1) throw new GossipDecodeError(`digest flag: unknown value ${reply}`);
          m = { type, reply: reply === 1, digest: readBytes(d, 'digest', lim.maxDigestBytes) };
          break;
        }
        case REPAIR:
          m = { type, payload: readBytes(d, 'payload', lim.maxPayloadBytes) };
          break;
        default:
          throw new GossipDecodeError(`unknown message type ${type}`);
      }
      if (d.pos !== bytes.length) throw new GossipDecodeError(`${bytes.length - d.pos} trailing bytes`);
      return m;
    },
    sizeOf(m) {
      switch (m.type) {
        case GOSSIP:
          return 2 + idLen(m.id) + varUintLen(m.round) + varUintLen(m.payload.length) + m.payload.length;
        case IHAVE: {
          let s = 1 + varUintLen(m.ids.length);
          for (const x of m.ids) s += idLen(x.id) + varUintLen(x.round);
          return s;
        }
        case GRAFT:
          return 1 + idLen(m.id) + varUintLen(m.round);
        case PRUNE:
          return 1 + (m.origin !== undefined ? varUintLen(m.origin) : 0);
        case DIGEST:
          return 2 + varUintLen(m.digest.length) + m.digest.length;
        case REPAIR:
          return 1 + varUintLen(m.payload.length) + m.payload.length;
      }
    },
  };
}

function isNum(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isId(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const i = v as Record<string, unknown>;
  return isNum(i.origin) && isNum(i.session) && isNum(i.seq);
}

function isBytes(v: unknown, max: number): boolean {
  return v instanceof Uint8Array && v.length <= max;
}

/** Checks a message object handed over without bytes (the simulator passes objects): same bounds. */
export function validateMsg(m: unknown, lim: Required<CodecLimits>): m is PlumtreeMsg {
  if (m === null || typeof m !== 'object') return false;
  const x = m as Record<string, unknown>;
  switch (x.type) {
    case GOSSIP:
      return isId(x.id) && isNum(x.round) && isBytes(x.payload, lim.maxPayloadBytes) && typeof x.repair === 'boolean';
    case IHAVE: {
      const ids = x.ids;
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > lim.maxIds) return false;
      for (const e of ids) {
        if (e === null || typeof e !== 'object') return false;
        if (!isId((e as { id: unknown }).id) || !isNum((e as { round: unknown }).round)) return false;
      }
      return true;
    }
    case GRAFT:
      return isId(x.id) && isNum(x.round);
    case PRUNE:
      return x.origin === undefined || isNum(x.origin);
    case DIGEST:
      return typeof x.reply === 'boolean' && isBytes(x.digest, lim.maxDigestBytes);
    case REPAIR:
      return isBytes(x.payload, lim.maxPayloadBytes);
    default:
      return false;
  }
}
