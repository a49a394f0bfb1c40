/**
 * The trust layer's wire format (the body of an F_TRUST frame, to the end of the frame), with a writer
 * and a reader that mirror each other and `trustMsgSize`, the exact encoded length without encoding:
 *
 *   msg       = u8 kind | body
 *   KEY       = 32 bytes public key | 64 bytes signature | u8 has (0|1) | (has: cert from | cert to)
 *   cert      = u8 n (1..65) | n bytes                    a DTLS certificate fingerprint (messages.ts LinkCerts)
 *   PROBE     = u32 nonce | varUint origin | u32 session | varUint seq
 *   PROOF     = u32 nonce | u8 has (0|1) | (has: 64 bytes signature)
 *   OPINIONS  = u32 seq | u8 n | n x (varUint peer | varUint good | varUint bad)    counts in 1/256 units
 *   PING/PONG = u32 nonce
 *   KIND      = u8 random (0|1)
 *
 * Peers are untrusted: the reader bounds every count before reading, checks every id and flag, and
 * throws SyncWireError naming the field; it never returns a half-read message. What is well formed but
 * unwelcome (too many opinions for this room, a replayed list, a probe for an unknown message) is the
 * trust layer's business (trust.ts), which drops and counts it.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { varUintLen } from '../../gossip/index.js';
import { SyncWireError } from '../errors.js';
import {
  KEY_BYTES,
  MAX_CERT_BYTES,
  OPINION_SCALE,
  SIG_BYTES,
  T_KEY,
  T_KIND,
  T_OPINIONS,
  T_PING,
  T_PONG,
  T_PROBE,
  T_PROOF,
  type LinkCerts,
  type TrustMsg,
  type WireOpinion,
} from './messages.js';

/** Most entries an opinion list may have on the wire (a room's own cap, maxOpinions, is at most this). */
export const MAX_WIRE_OPINIONS = 255;
/** Largest count one opinion entry may carry on the wire, in evidence units. */
export const MAX_WIRE_WEIGHT = 65_536;
const MAX_U32 = 0xffffffff;

function bad(field: string, problem: string): never {
  throw new SyncWireError(`trust.${field}: ${problem}`);
}

function u32(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > MAX_U32) bad(field, `not a u32: ${v}`);
  return v;
}

/** Evidence as fixed-point units, rounded down (so a capped entry stays under its cap on the wire). */
export function toUnits(x: number): number {
  return Math.floor(x * OPINION_SCALE);
}

function checkBytes(b: unknown, n: number, field: string): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== n) bad(field, `expected ${n} bytes`);
  return b;
}

function writeCert(e: encoding.Encoder, b: Uint8Array, field: string): void {
  if (!(b instanceof Uint8Array) || b.length < 1 || b.length > MAX_CERT_BYTES) bad(field, `expected 1-${MAX_CERT_BYTES} bytes`);
  encoding.writeUint8(e, b.length);
  encoding.writeUint8Array(e, b);
}

export function writeTrustMsg(e: encoding.Encoder, m: TrustMsg): void {
  switch (m.k) {
    case T_KEY:
      encoding.writeUint8(e, T_KEY);
      encoding.writeUint8Array(e, checkBytes(m.key, KEY_BYTES, 'key'));
      encoding.writeUint8Array(e, checkBytes(m.proof, SIG_BYTES, 'key.proof'));
      encoding.writeUint8(e, m.certs === null ? 0 : 1);
      if (m.certs !== null) {
        writeCert(e, m.certs.from, 'key.certs.from');
        writeCert(e, m.certs.to, 'key.certs.to');
      }
      return;
    case T_PROBE:
      encoding.writeUint8(e, T_PROBE);
      encoding.writeUint32(e, u32(m.nonce, 'probe.nonce'));
      encoding.writeVarUint(e, u32(m.id.origin, 'probe.origin'));
      encoding.writeUint32(e, u32(m.id.session, 'probe.session'));
      if (!Number.isSafeInteger(m.id.seq) || m.id.seq < 0) bad('probe.seq', `not a valid integer: ${m.id.seq}`);
      encoding.writeVarUint(e, m.id.seq);
      return;
    case T_PROOF:
      encoding.writeUint8(e, T_PROOF);
      encoding.writeUint32(e, u32(m.nonce, 'proof.nonce'));
      encoding.writeUint8(e, m.sig === null ? 0 : 1);
      if (m.sig !== null) encoding.writeUint8Array(e, checkBytes(m.sig, SIG_BYTES, 'proof.sig'));
      return;
    case T_OPINIONS: {
      encoding.writeUint8(e, T_OPINIONS);
      encoding.writeUint32(e, u32(m.seq, 'opinions.seq'));
      const n = m.entries.length;
      if (n > MAX_WIRE_OPINIONS) bad('opinions', `${n} entries, more than ${MAX_WIRE_OPINIONS}`);
      encoding.writeUint8(e, n);
      for (const o of m.entries) {
        encoding.writeVarUint(e, u32(o.peer, 'opinions.peer'));
        const g = toUnits(o.good);
        const b = toUnits(o.bad);
        if (!(g >= 0 && g <= MAX_WIRE_WEIGHT && b >= 0 && b <= MAX_WIRE_WEIGHT)) bad('opinions.weight', `not in [0, ${MAX_WIRE_WEIGHT / OPINION_SCALE}]`);
        encoding.writeVarUint(e, g);
        encoding.writeVarUint(e, b);
      }
      return;
    }
    case T_PING:
    case T_PONG:
      encoding.writeUint8(e, m.k);
      encoding.writeUint32(e, u32(m.nonce, 'ping.nonce'));
      return;
    case T_KIND:
      encoding.writeUint8(e, T_KIND);
      encoding.writeUint8(e, m.random ? 1 : 0);
      return;
    default:
      bad('kind', `unknown kind ${String((m as { k: unknown }).k)}`);
  }
}

function need(d: decoding.Decoder, n: number, field: string): void {
  if (d.pos + n > d.arr.length) bad(field, 'ends early');
}

function readU8(d: decoding.Decoder, field: string): number {
  need(d, 1, field);
  return decoding.readUint8(d);
}

function readU32(d: decoding.Decoder, field: string): number {
  need(d, 4, field);
  return decoding.readUint32(d);
}

/** A lib0 varUint of at most `max`, refusing overlong and runaway encodings. */
function readVar(d: decoding.Decoder, field: string, max: number): number {
  const at = d.pos;
  let v = 0;
  let mult = 1;
  for (let i = 0; ; i++) {
    if (i >= 8 || d.pos >= d.arr.length) bad(field, `bad varint at byte ${at}`);
    const b = d.arr[d.pos++]!;
    v += (b & 0x7f) * mult;
    if (b < 0x80) break;
    mult *= 128;
  }
  if (v > max) bad(field, `${v} exceeds ${max}`);
  return v;
}

function readFixed(d: decoding.Decoder, n: number, field: string): Uint8Array {
  need(d, n, field);
  const b = d.arr.slice(d.pos, d.pos + n);
  d.pos += n;
  return b;
}

function readCert(d: decoding.Decoder, field: string): Uint8Array {
  const n = readU8(d, field);
  if (n < 1 || n > MAX_CERT_BYTES) bad(field, `${n} bytes, expected 1-${MAX_CERT_BYTES}`);
  return readFixed(d, n, field);
}

function readCerts(d: decoding.Decoder): LinkCerts | null {
  const has = readU8(d, 'key.certs');
  if (has > 1) bad('key.certs', `expected 0 or 1, got ${has}`);
  return has === 1 ? { from: readCert(d, 'key.certs.from'), to: readCert(d, 'key.certs.to') } : null;
}

/** Reads one trust message from `d` up to its end; throws SyncWireError. */
export function readTrustMsg(d: decoding.Decoder): TrustMsg {
  const k = readU8(d, 'kind');
  let m: TrustMsg;
  switch (k) {
    case T_KEY:
      m = { k, key: readFixed(d, KEY_BYTES, 'key'), proof: readFixed(d, SIG_BYTES, 'key.proof'), certs: readCerts(d) };
      break;
    case T_PROBE: {
      const nonce = readU32(d, 'probe.nonce');
      const origin = readVar(d, 'probe.origin', MAX_U32);
      const session = readU32(d, 'probe.session');
      const seq = readVar(d, 'probe.seq', Number.MAX_SAFE_INTEGER);
      m = { k, nonce, id: { origin, session, seq } };
      break;
    }
    case T_PROOF: {
      const nonce = readU32(d, 'proof.nonce');
      const has = readU8(d, 'proof.has');
      if (has > 1) bad('proof.has', `expected 0 or 1, got ${has}`);
      m = { k, nonce, sig: has === 1 ? readFixed(d, SIG_BYTES, 'proof.sig') : null };
      break;
    }
    case T_OPINIONS: {
      const seq = readU32(d, 'opinions.seq');
      const n = readU8(d, 'opinions.count');
      // each entry takes at least 3 bytes: a count past what is left is a lie, refused before reading
      if (n * 3 > d.arr.length - d.pos) bad('opinions.count', `${n} entries cannot fit in ${d.arr.length - d.pos} bytes`);
      const entries: WireOpinion[] = [];
      for (let i = 0; i < n; i++) {
        const peer = readVar(d, `opinions[${i}].peer`, MAX_U32);
        const good = readVar(d, `opinions[${i}].good`, MAX_WIRE_WEIGHT) / OPINION_SCALE;
        const badW = readVar(d, `opinions[${i}].bad`, MAX_WIRE_WEIGHT) / OPINION_SCALE;
        entries.push({ peer, good, bad: badW });
      }
      m = { k, seq, entries };
      break;
    }
    case T_PING:
    case T_PONG:
      m = { k, nonce: readU32(d, 'ping.nonce') };
      break;
    case T_KIND: {
      const r = readU8(d, 'kind.random');
      if (r > 1) bad('kind.random', `expected 0 or 1, got ${r}`);
      m = { k, random: r === 1 };
      break;
    }
    default:
      bad('kind', `unknown kind ${k}`);
  }
  return m;
}

/** writeTrustMsg's length, without encoding. */
export function trustMsgSize(m: TrustMsg): number {
  switch (m.k) {
    case T_KEY:
      return 1 + KEY_BYTES + SIG_BYTES + 1 + (m.certs === null ? 0 : 2 + m.certs.from.length + m.certs.to.length);
    case T_PROBE:
      return 1 + 4 + varUintLen(m.id.origin) + 4 + varUintLen(m.id.seq);
    case T_PROOF:
      return 1 + 4 + 1 + (m.sig === null ? 0 : SIG_BYTES);
    case T_OPINIONS: {
      let s = 1 + 4 + 1;
      for (const o of m.entries) s += varUintLen(o.peer) + varUintLen(toUnits(o.good)) + varUintLen(toUnits(o.bad));
      return s;
    }
    case T_PING:
    case T_PONG:
      return 1 + 4;
    case T_KIND:
      return 2;
  }
}

/** A whole trust message as bytes (tests; live frames go through the sync codec). */
export function encodeTrustMsg(m: TrustMsg): Uint8Array {
  const e = encoding.createEncoder();
  writeTrustMsg(e, m);
  return encoding.toUint8Array(e);
}

/** Reads a whole trust message; trailing bytes are refused. */
export function decodeTrustMsg(bytes: Uint8Array): TrustMsg {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) bad('msg', 'empty');
  const d = decoding.createDecoder(bytes);
  const m = readTrustMsg(d);
  if (d.pos !== bytes.length) bad('msg', `${bytes.length - d.pos} trailing bytes`);
  return m;
}
