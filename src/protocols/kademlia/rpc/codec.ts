/**
 * The wire codec: an Encoder and a Decoder whose methods mirror each other (`writeContact` /
 * `readContact`), and `encode` / `decode` written against them with one `switch` over the message
 * type. Layout (big-endian):
 *
 *   u8 type | u32 rpc | id sender | body
 *   PING, PONG:          (empty)
 *   FIND_NODE:           id target
 *   NODES:               u8 count (<= maxContacts) | count x (u32 peer | id)
 *   FIND_VALUE:          id key
 *   VALUE:               id key | u32 length (<= maxValueBytes) | bytes
 *   STORE:               id key | u32 ttlMs | u32 length (<= maxValueBytes) | bytes
 *   STORE_ACK:           u8 stored (0 or 1)
 *
 * An id is exactly ceil(idBits/8) bytes with the unused low bits zero. Peers are untrusted: `decode`
 * checks every length and value, rejects trailing bytes, and throws `KademliaCodecError` naming the
 * field and offset; it never returns a half-read message. `encode` checks its input just as strictly,
 * so a bug on our side cannot put a malformed message on the wire.
 */
import { idBytes, lastByteMask, type NodeId } from '../id.js';
import type { Contact } from '../routing-table/index.js';
import {
  FIND_NODE,
  FIND_VALUE,
  MESSAGE_NAMES,
  NODES,
  PING,
  PONG,
  STORE,
  STORE_ACK,
  VALUE,
  type KadMessage,
} from './messages.js';

export class KademliaCodecError extends Error {
  override readonly name = 'KademliaCodecError';
  constructor(
    readonly field: string,
    readonly offset: number,
    problem: string,
  ) {
    super(`kademlia message: ${field} at byte ${offset}: ${problem}`);
  }
}

export interface CodecOptions {
  /** Id width in bits. Default 160. */
  idBits?: number;
  /** Most contacts a NODES reply may carry (<= 255). Default 32. */
  maxContacts?: number;
  /** Largest value in VALUE / STORE, bytes. Default 65536. */
  maxValueBytes?: number;
}

const HEADER = 5; // type + rpc

export class Encoder {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  writeU8(v: number): void {
    this.view.setUint8(this.pos, v);
    this.pos += 1;
  }
  writeU32(v: number): void {
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }
  writeId(id: NodeId): void {
    this.buf.set(id, this.pos);
    this.pos += id.length;
  }
  writeBytes(b: Uint8Array): void {
    this.writeU32(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  writeContact(c: Contact): void {
    this.writeU32(c.peer);
    this.writeId(c.id);
  }
  finish(): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos);
  }
}

export class Decoder {
  pos = 0;
  private view: DataView;
  constructor(
    private readonly buf: Uint8Array,
    private readonly idLen: number,
    private readonly mask: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number, field: string): void {
    if (this.pos + n > this.buf.length)
      throw new KademliaCodecError(field, this.pos, `truncated: needs ${n} bytes, ${this.buf.length - this.pos} left`);
  }
  readU8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.pos++);
  }
  readU32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  readId(field: string): NodeId {
    this.need(this.idLen, field);
    const id = this.buf.slice(this.pos, this.pos + this.idLen);
    if (((id[this.idLen - 1]! & ~this.mask) & 0xff) !== 0)
      throw new KademliaCodecError(field, this.pos + this.idLen - 1, 'bits beyond idBits are set');
    this.pos += this.idLen;
    return id;
  }
  readBytes(field: string, max: number): Uint8Array {
    const at = this.pos;
    const len = this.readU32(`${field}.length`);
    if (len > max) throw new KademliaCodecError(`${field}.length`, at, `${len} bytes exceeds the limit of ${max}`);
    this.need(len, field);
    const b = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
  readContact(field: string): Contact {
    const peer = this.readU32(`${field}.peer`);
    const id = this.readId(`${field}.id`);
    return { peer, id };
  }
  end(): void {
    if (this.pos !== this.buf.length)
      throw new KademliaCodecError('message', this.pos, `${this.buf.length - this.pos} trailing bytes`);
  }
}

export interface Codec {
  readonly idBits: number;
  encode(msg: KadMessage): Uint8Array;
  decode(bytes: Uint8Array): KadMessage;
  /** Size of `encode(msg)` without encoding (the simulator charges this to the network). */
  encodedLength(msg: KadMessage): number;
}

/** A message's encoded length with ids of `idLen` bytes, without encoding it (what the network is charged). */
export function kadMessageBytes(msg: KadMessage, idLen: number): number {
  const head = HEADER + idLen;
  switch (msg.type) {
    case PING:
    case PONG:
      return head;
    case FIND_NODE:
    case FIND_VALUE:
      return head + idLen;
    case NODES:
      return head + 1 + msg.contacts.length * (4 + idLen);
    case VALUE:
      return head + idLen + 4 + msg.value.length;
    case STORE:
      return head + idLen + 8 + msg.value.length;
    case STORE_ACK:
      return head + 1;
  }
}

export function createCodec(opts: CodecOptions = {}): Codec {
  const idBits = opts.idBits ?? 160;
  const maxContacts = opts.maxContacts ?? 32;
  const maxValueBytes = opts.maxValueBytes ?? 65536;
  if (!Number.isInteger(maxContacts) || maxContacts < 1 || maxContacts > 255)
    throw new RangeError(`maxContacts: expected an integer in [1, 255], got ${maxContacts}`);
  if (!Number.isInteger(maxValueBytes) || maxValueBytes < 0 || maxValueBytes > 2 ** 31)
    throw new RangeError(`maxValueBytes: expected an integer in [0, 2^31], got ${maxValueBytes}`);
  const idLen = idBytes(idBits);
  const mask = lastByteMask(idBits);

  const bad = (field: string, problem: string): never => {
    throw new KademliaCodecError(field, 0, problem);
  };
  const checkId = (v: unknown, field: string): void => {
    if (!(v instanceof Uint8Array)) bad(field, 'expected a Uint8Array id');
    const id = v as Uint8Array;
    if (id.length !== idLen) bad(field, `expected ${idLen} bytes, got ${id.length}`);
    if (((id[idLen - 1]! & ~mask) & 0xff) !== 0) bad(field, 'bits beyond idBits are set');
  };
  const checkU32 = (v: unknown, field: string): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) bad(field, `expected a u32, got ${String(v)}`);
  };
  const checkValue = (v: unknown, field: string): void => {
    if (!(v instanceof Uint8Array)) bad(field, 'expected a Uint8Array');
    if ((v as Uint8Array).length > maxValueBytes) bad(field, `${(v as Uint8Array).length} bytes exceeds the limit of ${maxValueBytes}`);
  };

  /** Checks a message object (ours or a caller's) before encoding; returns its encoded size. */
  const check = (msg: KadMessage): number => {
    if (msg === null || typeof msg !== 'object') bad('message', 'expected an object');
    checkU32(msg.rpc, 'rpc');
    checkId(msg.sender, 'sender');
    const head = HEADER + idLen;
    switch (msg.type) {
      case PING:
      case PONG:
        return head;
      case FIND_NODE:
        checkId(msg.target, 'target');
        return head + idLen;
      case FIND_VALUE:
        checkId(msg.key, 'key');
        return head + idLen;
      case NODES: {
        if (!Array.isArray(msg.contacts)) bad('contacts', 'expected an array');
        if (msg.contacts.length > maxContacts) bad('contacts', `${msg.contacts.length} contacts exceeds the limit of ${maxContacts}`);
        msg.contacts.forEach((c, i) => {
          if (c === null || typeof c !== 'object') bad(`contacts[${i}]`, 'expected a contact');
          checkU32(c.peer, `contacts[${i}].peer`);
          checkId(c.id, `contacts[${i}].id`);
        });
        return head + 1 + msg.contacts.length * (4 + idLen);
      }
      case VALUE:
        checkId(msg.key, 'key');
        checkValue(msg.value, 'value');
        return head + idLen + 4 + msg.value.length;
      case STORE:
        checkId(msg.key, 'key');
        checkU32(msg.ttlMs, 'ttlMs');
        checkValue(msg.value, 'value');
        return head + idLen + 8 + msg.value.length;
      case STORE_ACK:
        if (typeof msg.stored !== 'boolean') bad('stored', 'expected a boolean');
        return head + 1;
      default:
        return bad('type', `unknown message type ${String((msg as { type: unknown }).type)}`);
    }
  };

  const encodedLength = (msg: KadMessage): number => kadMessageBytes(msg, idLen);

  const encode = (msg: KadMessage): Uint8Array => {
    const e = new Encoder(check(msg));
    e.writeU8(msg.type);
    e.writeU32(msg.rpc);
    e.writeId(msg.sender);
    switch (msg.type) {
      case PING:
      case PONG:
        break;
      case FIND_NODE:
        e.writeId(msg.target);
        break;
      case FIND_VALUE:
        e.writeId(msg.key);
        break;
      case NODES:
        e.writeU8(msg.contacts.length);
        for (const c of msg.contacts) e.writeContact(c);
        break;
      case VALUE:
        e.writeId(msg.key);
        e.writeBytes(msg.value);
        break;
      case STORE:
        e.writeId(msg.key);
        e.writeU32(msg.ttlMs);
        e.writeBytes(msg.value);
        break;
      case STORE_ACK:
        e.writeU8(msg.stored ? 1 : 0);
        break;
    }
    return e.finish();
  };

  const decode = (bytes: Uint8Array): KadMessage => {
    if (!(bytes instanceof Uint8Array)) throw new KademliaCodecError('message', 0, `expected a Uint8Array, got ${typeof bytes}`);
    const d = new Decoder(bytes, idLen, mask);
    const type = d.readU8('type');
    if (MESSAGE_NAMES[type] === undefined) throw new KademliaCodecError('type', 0, `unknown message type ${type}`);
    const rpc = d.readU32('rpc');
    const sender = d.readId('sender');
    let msg: KadMessage;
    switch (type) {
      case PING:
        msg = { type: PING, rpc, sender };
        break;
      case PONG:
        msg = { type: PONG, rpc, sender };
        break;
      case FIND_NODE:
        msg = { type: FIND_NODE, rpc, sender, target: d.readId('target') };
        break;
      case FIND_VALUE:
        msg = { type: FIND_VALUE, rpc, sender, key: d.readId('key') };
        break;
      case NODES: {
        const at = d.pos;
        const count = d.readU8('contacts.count');
        if (count > maxContacts) throw new KademliaCodecError('contacts.count', at, `${count} contacts exceeds the limit of ${maxContacts}`);
        const contacts: Contact[] = [];
        for (let i = 0; i < count; i++) contacts.push(d.readContact(`contacts[${i}]`));
        msg = { type: NODES, rpc, sender, contacts };
        break;
      }
      case VALUE: {
        const key = d.readId('key');
        msg = { type: VALUE, rpc, sender, key, value: d.readBytes('value', maxValueBytes) };
        break;
      }
      case STORE: {
        const key = d.readId('key');
        const ttlMs = d.readU32('ttlMs');
        msg = { type: STORE, rpc, sender, key, ttlMs, value: d.readBytes('value', maxValueBytes) };
        break;
      }
      default: {
        const at = d.pos;
        const v = d.readU8('stored');
        if (v > 1) throw new KademliaCodecError('stored', at, `expected 0 or 1, got ${v}`);
        msg = { type: STORE_ACK, rpc, sender, stored: v === 1 };
      }
    }
    d.end();
    return msg;
  };

  return { idBits, encode, decode, encodedLength };
}
