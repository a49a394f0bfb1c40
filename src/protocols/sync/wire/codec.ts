/**
 * The sync peer's link wire format (lib0 varints), an encoder and a decoder that mirror each other
 * (`writePeer` / `readPeer`, `writeBody` / `readBody`), and `frameSize`, the exact encoded length without
 * encoding (what the simulator charges). Layout:
 *
 *   frame       = u8 type | body
 *   GOSSIP      = Plumtree message (src/protocols/gossip codec) to the end; a copy, IHAVE, GRAFT or PRUNE
 *                 goes in a compact frame of its own type instead (gossip.ts)
 *   FLOOD       = varUint origin | varUint seq | varUint8Array payload
 *   DIGEST      = varString doc | u32 h1 | u32 h2
 *   SYNC_REQ    = varString doc | u8 back (0|1) | varUint8Array stateVector
 *   SYNC_REPLY  = varString doc | varUint8Array update
 *   PUSH        = varString doc | varUint8Array update
 *   PUSH_SEALED = varUint origin | 32 bytes key | 64 bytes signature | varString doc | varUint8Array update
 *                 (decoded as a PUSH frame with `seal`; see trust/crypto.ts, pushSigningData)
 *   SYNC_SEALED = varString doc | u8 n (1..255) | n x original
 *     original  = u8 1 | varUint origin | u32 session | varUint seq | varUint8Array sealedPayload    (gossiped)
 *               | u8 2 | varUint origin | 32 bytes key | 64 bytes signature | varUint8Array update  (pushed)
 *   ROUTE       = varUint src | varUint dst | u8 ttl | u8 n | n x varUint path | u8 m | m x varUint via | u8 body | ...
 *     KAD       = Kademlia message (src/protocols/kademlia codec) to the end
 *     MEMBERS   = u8 type | u32 rpc | id key | (LIST: u8 count | count x varUint peer)
 *     SIGNAL    = u8 kind | u8 linkKind | varString nonce | varString sdp
 *     UNREACHABLE = varUint dst
 *   PING, BYE   = (empty)
 *   TRUST       = trust message (trust/codec.ts) to the end
 *
 * Peers are untrusted: `decodeFrame` bounds every length and count before reading, checks ids, names,
 * state vectors and updates (decoded with Yjs), rejects trailing bytes, and throws `SyncWireError`
 * naming the field. It never returns a half-read frame. `encodeFrame` checks its input as strictly.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { createCodec as createGossipCodec, GossipDecodeError, varUintLen, type PlumtreeCodec } from '../../gossip/index.js';
import { createCodec as createKadCodec, idBytes, KademliaCodecError, lastByteMask, type Codec as KadCodec } from '../../kademlia/index.js';
import { readTrustMsg, trustMsgSize, writeTrustMsg } from '../trust/codec.js';
import { KEY_BYTES, SIG_BYTES } from '../trust/messages.js';
import {
  B_KAD,
  B_MEMBERS,
  B_SIGNAL,
  B_UNREACHABLE,
  F_BYE,
  F_CHUNK,
  F_DIGEST,
  F_FLOOD,
  F_GOSSIP,
  F_PING,
  F_PUSH,
  F_PUSH_SEALED,
  F_ROUTE,
  F_SYNC_SEALED,
  F_SYNC_REPLY,
  F_SYNC_REQ,
  F_TRUST,
  LINK_KINDS,
  M_ANNOUNCE,
  M_GET,
  M_LIST,
  type Frame,
  type LinkSignal,
  type MemberMsg,
  type RouteBody,
  type SealedOriginal,
} from './frames.js';
import {
  bad,
  bytesLen,
  checkStateVector,
  checkUpdate,
  MAX_PEER,
  readBytes,
  readDoc,
  readFixed,
  readId,
  readPeer,
  readString,
  readU32,
  readU8,
  readUint,
  strLen,
  utf8Length,
  writeDoc,
  writeFixed,
  writeId,
  writePeer,
} from './fields.js';
import { gossipFrameSize, isCompactGossip, readGossipFrame, writeGossipFrame } from './gossip.js';

export { utf8Length } from './fields.js';

export interface WireLimits {
  /** DHT id width. Default 64. */
  idBits?: number;
  /** Most contacts in a Kademlia NODES reply. Default 32. */
  maxContacts?: number;
  /** Most peers a ROUTE envelope may have crossed (and its TTL). Default 16. */
  maxPath?: number;
  /** Most waypoints in a ROUTE envelope. Default 8. */
  maxVia?: number;
  /** Largest session description. Default 64 KiB. */
  maxSdpBytes?: number;
  /** Most members in one LIST reply. Default 64. */
  maxMembers?: number;
  /** Largest state vector. Default 1 MiB. */
  maxStateVectorBytes?: number;
  /** Largest update in SYNC_REPLY / PUSH (the reassembled frame is bounded before this). Default 32 MiB. */
  maxUpdateBytes?: number;
  /** Largest gossip / flood payload. Default 1 MiB. */
  maxPayloadBytes?: number;
}

export interface SyncCodec {
  readonly limits: Required<WireLimits>;
  readonly gossip: PlumtreeCodec;
  readonly kad: KadCodec;
  encode(f: Frame): Uint8Array;
  decode(bytes: Uint8Array): Frame;
  /** encode(f).length, without encoding. */
  size(f: Frame): number;
}

const NONCE = /^[0-9a-f]{1,32}$/;
/** Most sealed originals in one SYNC_SEALED frame. */
export const MAX_ORIGINALS = 255;
const SIGNAL_KINDS = ['offer', 'answer', 'busy', 'candidates'] as const;
export function createSyncCodec(limits: WireLimits = {}): SyncCodec {
  const L: Required<WireLimits> = {
    idBits: limits.idBits ?? 64,
    maxContacts: limits.maxContacts ?? 32,
    maxPath: limits.maxPath ?? 16,
    maxVia: limits.maxVia ?? 8,
    maxSdpBytes: limits.maxSdpBytes ?? 64 * 1024,
    maxMembers: limits.maxMembers ?? 64,
    maxStateVectorBytes: limits.maxStateVectorBytes ?? 1024 * 1024,
    maxUpdateBytes: limits.maxUpdateBytes ?? 32 * 1024 * 1024,
    maxPayloadBytes: limits.maxPayloadBytes ?? 1024 * 1024,
  };
  if (L.maxPath > 255 || L.maxVia > 255 || L.maxMembers > 255) throw new RangeError('maxPath, maxVia and maxMembers are at most 255');
  const gossip = createGossipCodec({ maxPayloadBytes: L.maxPayloadBytes });
  const kad = createKadCodec({ idBits: L.idBits, maxContacts: L.maxContacts, maxValueBytes: 1024 });
  const idLen = idBytes(L.idBits);
  const mask = lastByteMask(L.idBits);

  const memberSize = (m: MemberMsg): number => {
    let s = 1 + 4 + idLen;
    if (m.type === M_LIST) {
      s += 1;
      for (const p of m.members) s += varUintLen(p);
    }
    return s;
  };

  const bodySize = (b: RouteBody): number => {
    switch (b.b) {
      case B_KAD:
        return 1 + kad.encodedLength(b.msg);
      case B_MEMBERS:
        return 1 + memberSize(b.msg);
      case B_SIGNAL:
        return 1 + 2 + strLen(b.sig.nonce) + strLen(b.sig.sdp);
      case B_UNREACHABLE:
        return 1 + varUintLen(b.dst);
    }
  };

  const size = (f: Frame): number => {
    switch (f.t) {
      case F_GOSSIP:
        return gossipFrameSize(f.g, gossip);
      case F_FLOOD:
        return 1 + varUintLen(f.origin) + varUintLen(f.seq) + bytesLen(f.payload);
      case F_DIGEST:
        return 1 + strLen(f.doc) + 8;
      case F_SYNC_REQ:
        return 1 + strLen(f.doc) + 1 + bytesLen(f.sv);
      case F_SYNC_REPLY:
        return 1 + strLen(f.doc) + bytesLen(f.update);
      case F_SYNC_SEALED: {
        let n = 1 + strLen(f.doc) + 1;
        for (const o of f.items)
          n += o.kind === 'gossip'
            ? 1 + varUintLen(o.id.origin) + 4 + varUintLen(o.id.seq) + bytesLen(o.sealed)
            : 1 + varUintLen(o.seal.origin) + KEY_BYTES + SIG_BYTES + bytesLen(o.update);
        return n;
      }
      case F_PUSH:
        return 1 + (f.seal ? varUintLen(f.seal.origin) + KEY_BYTES + SIG_BYTES : 0) + strLen(f.doc) + bytesLen(f.update);
      case F_ROUTE: {
        let s = 1 + varUintLen(f.src) + varUintLen(f.dst) + 1 + 1 + 1;
        for (const p of f.path) s += varUintLen(p);
        for (const p of f.via) s += varUintLen(p);
        return s + bodySize(f.body);
      }
      case F_PING:
      case F_BYE:
        return 1;
      case F_TRUST:
        return 1 + trustMsgSize(f.m);
    }
  };

  const writeMember = (e: encoding.Encoder, m: MemberMsg): void => {
    if (m.type !== M_GET && m.type !== M_ANNOUNCE && m.type !== M_LIST) bad('members.type', `unknown type ${String((m as { type: unknown }).type)}`);
    if (!Number.isInteger(m.rpc) || m.rpc < 0 || m.rpc > 0xffffffff) bad('members.rpc', 'not a u32');
    encoding.writeUint8(e, m.type);
    encoding.writeUint32(e, m.rpc);
    writeId(e, m.key, idLen, mask, 'members.key');
    if (m.type === M_LIST) {
      if (!Array.isArray(m.members) || m.members.length > L.maxMembers) bad('members.list', `more than ${L.maxMembers} members`);
      encoding.writeUint8(e, m.members.length);
      for (const p of m.members) writePeer(e, p, 'members.list[]');
    }
  };

  const readMember = (d: decoding.Decoder): MemberMsg => {
    const type = readU8(d, 'members.type');
    const rpc = readU32(d, 'members.rpc');
    const key = readId(d, idLen, mask, 'members.key');
    switch (type) {
      case M_GET:
        return { type, rpc, key };
      case M_ANNOUNCE:
        return { type, rpc, key };
      case M_LIST: {
        const n = readU8(d, 'members.count');
        if (n > L.maxMembers) bad('members.count', `${n} members exceeds the limit of ${L.maxMembers}`);
        const members: number[] = [];
        for (let i = 0; i < n; i++) members.push(readPeer(d, `members.list[${i}]`));
        return { type, rpc, key, members };
      }
      default:
        return bad('members.type', `unknown type ${type}`);
    }
  };

  const writeSignal = (e: encoding.Encoder, s: LinkSignal): void => {
    const kind = SIGNAL_KINDS.indexOf(s.kind);
    const link = LINK_KINDS.indexOf(s.link);
    if (kind < 0) bad('signal.kind', `unknown kind ${String(s.kind)}`);
    if (link < 0) bad('signal.link', `unknown link kind ${String(s.link)}`);
    if (typeof s.nonce !== 'string' || !NONCE.test(s.nonce)) bad('signal.nonce', 'expected 1-32 hex digits');
    if (typeof s.sdp !== 'string' || utf8Length(s.sdp) > L.maxSdpBytes) bad('signal.sdp', `not a string of at most ${L.maxSdpBytes} bytes`);
    encoding.writeUint8(e, kind);
    encoding.writeUint8(e, link);
    encoding.writeVarString(e, s.nonce);
    encoding.writeVarString(e, s.sdp);
  };

  const readSignal = (d: decoding.Decoder): LinkSignal => {
    const kind = SIGNAL_KINDS[readU8(d, 'signal.kind')];
    if (kind === undefined) bad('signal.kind', 'unknown kind');
    const link = LINK_KINDS[readU8(d, 'signal.link')];
    if (link === undefined) bad('signal.link', 'unknown link kind');
    const nonce = readString(d, 'signal.nonce', 32);
    if (!NONCE.test(nonce)) bad('signal.nonce', 'expected 1-32 hex digits');
    const sdp = readString(d, 'signal.sdp', L.maxSdpBytes);
    return { kind, nonce, sdp, link };
  };

  const writeOriginal = (e: encoding.Encoder, o: SealedOriginal): void => {
    if (o.kind === 'gossip') {
      encoding.writeUint8(e, 1);
      writePeer(e, o.id.origin, 'original.origin');
      if (!Number.isInteger(o.id.session) || o.id.session < 0 || o.id.session > MAX_PEER) bad('original.session', 'not a u32');
      encoding.writeUint32(e, o.id.session);
      if (!Number.isSafeInteger(o.id.seq) || o.id.seq < 0) bad('original.seq', 'not a valid integer');
      encoding.writeVarUint(e, o.id.seq);
      if (!(o.sealed instanceof Uint8Array) || o.sealed.length > L.maxPayloadBytes) bad('original.sealed', 'too big');
      encoding.writeVarUint8Array(e, o.sealed);
    } else if (o.kind === 'push') {
      encoding.writeUint8(e, 2);
      writePeer(e, o.seal.origin, 'original.origin');
      writeFixed(e, o.seal.key, KEY_BYTES, 'original.key');
      writeFixed(e, o.seal.sig, SIG_BYTES, 'original.sig');
      encoding.writeVarUint8Array(e, o.update);
    } else bad('original.kind', `unknown kind ${String((o as { kind: unknown }).kind)}`);
  };

  const readOriginal = (d: decoding.Decoder, i: number): SealedOriginal => {
    const kind = readU8(d, `originals[${i}].kind`);
    const origin = readPeer(d, `originals[${i}].origin`);
    if (kind === 1) {
      const session = readU32(d, `originals[${i}].session`);
      const seq = readUint(d, `originals[${i}].seq`);
      const sealed = readBytes(d, `originals[${i}].sealed`, L.maxPayloadBytes);
      return { kind: 'gossip', id: { origin, session, seq }, sealed };
    }
    if (kind === 2) {
      const key = readFixed(d, KEY_BYTES, `originals[${i}].key`);
      const sig = readFixed(d, SIG_BYTES, `originals[${i}].sig`);
      const update = readBytes(d, `originals[${i}].update`, L.maxUpdateBytes);
      checkUpdate(update, `originals[${i}].update`);
      return { kind: 'push', seal: { origin, key, sig }, update };
    }
    return bad(`originals[${i}].kind`, `unknown kind ${kind}`);
  };

  const encode = (f: Frame): Uint8Array => {
    const e = encoding.createEncoder();
    if (f.t === F_GOSSIP) {
      writeGossipFrame(e, f.g, gossip);
      return encoding.toUint8Array(e);
    }
    encoding.writeUint8(e, f.t === F_PUSH && f.seal ? F_PUSH_SEALED : f.t);
    switch (f.t) {
      case F_FLOOD:
        writePeer(e, f.origin, 'flood.origin');
        if (!Number.isSafeInteger(f.seq) || f.seq < 0) bad('flood.seq', 'not a valid integer');
        encoding.writeVarUint(e, f.seq);
        if (!(f.payload instanceof Uint8Array) || f.payload.length > L.maxPayloadBytes) bad('flood.payload', 'too big');
        encoding.writeVarUint8Array(e, f.payload);
        break;
      case F_DIGEST:
        writeDoc(e, f.doc);
        encoding.writeUint32(e, f.h1 >>> 0);
        encoding.writeUint32(e, f.h2 >>> 0);
        break;
      case F_SYNC_REQ:
        writeDoc(e, f.doc);
        encoding.writeUint8(e, f.back ? 1 : 0);
        encoding.writeVarUint8Array(e, f.sv);
        break;
      case F_PUSH:
        if (f.seal) {
          writePeer(e, f.seal.origin, 'push.origin');
          writeFixed(e, f.seal.key, KEY_BYTES, 'push.key');
          writeFixed(e, f.seal.sig, SIG_BYTES, 'push.sig');
        }
        writeDoc(e, f.doc);
        encoding.writeVarUint8Array(e, f.update);
        break;
      case F_SYNC_REPLY:
        writeDoc(e, f.doc);
        encoding.writeVarUint8Array(e, f.update);
        break;
      case F_SYNC_SEALED:
        writeDoc(e, f.doc);
        if (!Array.isArray(f.items) || f.items.length < 1 || f.items.length > MAX_ORIGINALS) bad('originals', `expected 1-${MAX_ORIGINALS} items`);
        encoding.writeUint8(e, f.items.length);
        for (const o of f.items) writeOriginal(e, o);
        break;
      case F_ROUTE: {
        writePeer(e, f.src, 'route.src');
        writePeer(e, f.dst, 'route.dst');
        if (!Number.isInteger(f.ttl) || f.ttl < 0 || f.ttl > L.maxPath) bad('route.ttl', `not in [0, ${L.maxPath}]`);
        encoding.writeUint8(e, f.ttl);
        if (f.path.length > L.maxPath) bad('route.path', `more than ${L.maxPath} hops`);
        encoding.writeUint8(e, f.path.length);
        for (const p of f.path) writePeer(e, p, 'route.path[]');
        if (f.via.length > L.maxVia) bad('route.via', `more than ${L.maxVia} waypoints`);
        encoding.writeUint8(e, f.via.length);
        for (const p of f.via) writePeer(e, p, 'route.via[]');
        const b = f.body;
        encoding.writeUint8(e, b.b);
        if (b.b === B_KAD) encoding.writeUint8Array(e, kad.encode(b.msg));
        else if (b.b === B_MEMBERS) writeMember(e, b.msg);
        else if (b.b === B_SIGNAL) writeSignal(e, b.sig);
        else if (b.b === B_UNREACHABLE) writePeer(e, b.dst, 'route.unreachable');
        else bad('route.body', `unknown body ${String((b as { b: unknown }).b)}`);
        break;
      }
      case F_PING:
      case F_BYE:
        break;
      case F_TRUST:
        writeTrustMsg(e, f.m);
        break;
      default:
        bad('type', `unknown frame type ${String((f as { t: unknown }).t)}`);
    }
    return encoding.toUint8Array(e);
  };

  const decode = (bytes: Uint8Array): Frame => {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) bad('frame', 'empty');
    const d = decoding.createDecoder(bytes);
    const t = readU8(d, 'type');
    if (isCompactGossip(t)) {
      const g = readGossipFrame(d, t, gossip);
      if (d.pos !== bytes.length) bad('frame', `${bytes.length - d.pos} trailing bytes`);
      return { t: F_GOSSIP, g };
    }
    let f: Frame;
    switch (t) {
      case F_GOSSIP: {
        try {
          f = { t, g: gossip.decode(bytes.subarray(1)) };
        } catch (e) {
          if (e instanceof GossipDecodeError) bad('gossip', e.message);
          throw e;
        }
        d.pos = bytes.length;
        break;
      }
      case F_FLOOD: {
        const origin = readPeer(d, 'flood.origin');
        const seq = readUint(d, 'flood.seq');
        const payload = readBytes(d, 'flood.payload', L.maxPayloadBytes);
        f = { t, origin, seq, payload };
        break;
      }
      case F_DIGEST: {
        const doc = readDoc(d);
        const h1 = readU32(d, 'digest.h1');
        const h2 = readU32(d, 'digest.h2');
        f = { t, doc, h1, h2 };
        break;
      }
      case F_SYNC_REQ: {
        const doc = readDoc(d);
        const back = readU8(d, 'back');
        if (back > 1) bad('back', `expected 0 or 1, got ${back}`);
        const sv = readBytes(d, 'stateVector', L.maxStateVectorBytes);
        checkStateVector(sv, 'stateVector');
        f = { t, doc, sv, back: back === 1 };
        break;
      }
      case F_SYNC_REPLY:
      case F_PUSH: {
        const doc = readDoc(d);
        const update = readBytes(d, 'update', L.maxUpdateBytes);
        checkUpdate(update, 'update');
        f = { t, doc, update };
        break;
      }
      case F_SYNC_SEALED: {
        const doc = readDoc(d);
        const n = readU8(d, 'originals count');
        if (n < 1) bad('originals count', 'no originals');
        const items: SealedOriginal[] = [];
        for (let i = 0; i < n; i++) items.push(readOriginal(d, i));
        f = { t, doc, items };
        break;
      }
      case F_PUSH_SEALED: {
        const origin = readPeer(d, 'push.origin');
        const key = readFixed(d, KEY_BYTES, 'push.key');
        const sig = readFixed(d, SIG_BYTES, 'push.sig');
        const doc = readDoc(d);
        const update = readBytes(d, 'update', L.maxUpdateBytes);
        checkUpdate(update, 'update');
        f = { t: F_PUSH, doc, update, seal: { origin, key, sig } };
        break;
      }
      case F_ROUTE: {
        const src = readPeer(d, 'route.src');
        const dst = readPeer(d, 'route.dst');
        const ttl = readU8(d, 'route.ttl');
        if (ttl > L.maxPath) bad('route.ttl', `${ttl} exceeds ${L.maxPath}`);
        const np = readU8(d, 'route.path count');
        if (np > L.maxPath) bad('route.path', `${np} hops exceeds ${L.maxPath}`);
        const path: number[] = [];
        for (let i = 0; i < np; i++) path.push(readPeer(d, `route.path[${i}]`));
        const nv = readU8(d, 'route.via count');
        if (nv > L.maxVia) bad('route.via', `${nv} waypoints exceeds ${L.maxVia}`);
        const via: number[] = [];
        for (let i = 0; i < nv; i++) via.push(readPeer(d, `route.via[${i}]`));
        const bt = readU8(d, 'route.body');
        let body: RouteBody;
        if (bt === B_KAD) {
          try {
            body = { b: B_KAD, msg: kad.decode(bytes.subarray(d.pos)) };
          } catch (e) {
            if (e instanceof KademliaCodecError) bad('route.kad', e.message);
            throw e;
          }
          d.pos = bytes.length;
        } else if (bt === B_MEMBERS) body = { b: B_MEMBERS, msg: readMember(d) };
        else if (bt === B_SIGNAL) body = { b: B_SIGNAL, sig: readSignal(d) };
        else if (bt === B_UNREACHABLE) body = { b: B_UNREACHABLE, dst: readPeer(d, 'route.unreachable') };
        else return bad('route.body', `unknown body ${bt}`);
        f = { t, src, dst, ttl, path, via, body };
        break;
      }
      case F_PING:
        f = { t };
        break;
      case F_BYE:
        f = { t };
        break;
      case F_TRUST:
        f = { t, m: readTrustMsg(d) };
        break;
      case F_CHUNK:
        return bad('type', 'a chunk frame where a whole message was expected (chunks do not nest)');
      default:
        return bad('type', `unknown frame type ${t}`);
    }
    if (d.pos !== bytes.length) bad('frame', `${bytes.length - d.pos} trailing bytes`);
    return f;
  };

  return { limits: L, gossip, kad, encode, decode, size };
}
