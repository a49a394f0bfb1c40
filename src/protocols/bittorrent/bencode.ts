/**
 * Strict bencode (BEP 3). Only the canonical encoding is accepted, so a value has exactly one byte
 * form and re-encoding a decoded value gives back the input bytes (which is what makes an info-hash
 * well defined):
 * - integers `i<n>e`: no leading zeros, no `-0`, no `+`, no empty digits;
 * - byte strings `<len>:<bytes>`: no leading zeros in the length;
 * - dictionaries: keys are byte strings, strictly increasing in raw byte order (sorted, unique).
 * Nesting depth, string length, item counts and digits (20, so |n| < 10^20) are bounded; every error names the byte offset.
 *
 * Values: integers are `number` when safe (|n| <= 2^53-1) and `bigint` beyond; byte strings are
 * `Uint8Array`; lists are arrays; dictionaries are `Map`s keyed by the key's bytes read as latin1
 * (one char per byte, so JS string order is the raw byte order and no bytes are lost).
 */

export type BValue = number | bigint | Uint8Array | BValue[] | BDict;
export type BDict = Map<string, BValue>;

export class BencodeError extends Error {
  override name = 'BencodeError';
  constructor(
    /** Byte offset in the input where the problem is. */
    readonly offset: number,
    readonly problem: string,
  ) {
    super(`bencode: at byte ${offset}: ${problem}`);
  }
}

export interface DecodeLimits {
  /** Deepest nesting of lists/dicts. Default 64. */
  maxDepth?: number;
  /** Longest byte string. Default 64 MiB (and never beyond the input). */
  maxStringLength?: number;
  /** Most items in any one list or dict. Default 1,000,000. */
  maxItems?: number;
}

/** Integers and lengths have at most 20 digits (2^64 has 20): bounds the work and the numbers. */
const MAX_DIGITS = 20;
const I = 0x69, L = 0x6c, D = 0x64, E = 0x65, COLON = 0x3a, MINUS = 0x2d, ZERO = 0x30, NINE = 0x39;

/** Where a top-level dictionary's values sit in the input: key -> [start, end) byte offsets. */
export type Spans = Map<string, [number, number]>;

export interface Decoded {
  value: BValue;
  /** Byte spans of the values of the top-level dictionary (empty if the top is not a dict). */
  spans: Spans;
}

/** Decodes one canonical bencoded value that must span the whole input. */
export function decode(bytes: Uint8Array, limits: DecodeLimits = {}): BValue {
  return decodeWithSpans(bytes, limits).value;
}

/** Like `decode`, and also returns the byte spans of the top-level dict's values (for the info-hash). */
export function decodeWithSpans(bytes: Uint8Array, limits: DecodeLimits = {}): Decoded {
  const maxDepth = limits.maxDepth ?? 64;
  const maxStr = limits.maxStringLength ?? 64 * 1024 * 1024;
  const maxItems = limits.maxItems ?? 1_000_000;
  const n = bytes.length;
  const spans: Spans = new Map();
  let pos = 0;

  const byteAt = (p: number, what: string): number => {
    if (p >= n) throw new BencodeError(p, `unexpected end of input (truncated ${what})`);
    return bytes[p]!;
  };

  /** Reads digits up to `end` byte; returns the numeric string. */
  const readDigits = (end: number, what: string, allowNeg: boolean): string => {
    const start = pos;
    let neg = false;
    if (allowNeg && byteAt(pos, what) === MINUS) {
      neg = true;
      pos++;
    }
    const digitsStart = pos;
    for (;;) {
      const c = byteAt(pos, what);
      if (c === end) break;
      if (c < ZERO || c > NINE) throw new BencodeError(pos, `unexpected byte 0x${c.toString(16).padStart(2, '0')} in ${what}`);
      pos++;
      if (pos - digitsStart > MAX_DIGITS) throw new BencodeError(digitsStart, `${what} has too many digits`);
    }
    if (pos === digitsStart) throw new BencodeError(pos, `empty ${what}`);
    if (bytes[digitsStart] === ZERO && pos - digitsStart > 1) throw new BencodeError(digitsStart, `leading zero in ${what}`);
    if (neg && pos - digitsStart === 1 && bytes[digitsStart] === ZERO) throw new BencodeError(start, `negative zero in ${what}`);
    let s = neg ? '-' : '';
    for (let p = digitsStart; p < pos; p++) s += String.fromCharCode(bytes[p]!);
    pos++; // the terminator
    return s;
  };

  const readString = (): Uint8Array => {
    const start = pos;
    const lenStr = readDigits(COLON, 'string length', false);
    const len = Number(lenStr);
    if (len > maxStr) throw new BencodeError(start, `string length ${len} exceeds the limit of ${maxStr}`);
    if (pos + len > n) throw new BencodeError(n, `unexpected end of input (string of ${len} bytes starting at byte ${pos} is truncated)`);
    const s = bytes.subarray(pos, pos + len);
    pos += len;
    return s;
  };

  const readValue = (depth: number): BValue => {
    const c = byteAt(pos, 'value');
    if (c === I) {
      pos++;
      const s = readDigits(E, 'integer', true);
      const big = BigInt(s);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    if (c >= ZERO && c <= NINE) return readString();
    if (c === L || c === D) {
      if (depth >= maxDepth) throw new BencodeError(pos, `nesting deeper than ${maxDepth}`);
      pos++;
      if (c === L) {
        const list: BValue[] = [];
        while (byteAt(pos, 'list') !== E) {
          if (list.length >= maxItems) throw new BencodeError(pos, `list has more than ${maxItems} items`);
          list.push(readValue(depth + 1));
        }
        pos++;
        return list;
      }
      const dict: BDict = new Map();
      let prev: string | null = null;
      while (byteAt(pos, 'dictionary') !== E) {
        if (dict.size >= maxItems) throw new BencodeError(pos, `dictionary has more than ${maxItems} keys`);
        const keyAt = pos;
        const kc = bytes[pos]!;
        if (kc < ZERO || kc > NINE) throw new BencodeError(pos, 'dictionary key must be a byte string');
        const key = latin1(readString());
        if (prev !== null) {
          if (key === prev) throw new BencodeError(keyAt, `duplicate dictionary key ${JSON.stringify(key)}`);
          if (key < prev) throw new BencodeError(keyAt, `dictionary key ${JSON.stringify(key)} is out of order (keys must be sorted)`);
        }
        prev = key;
        const valueAt = pos;
        dict.set(key, readValue(depth + 1));
        if (depth === 0) spans.set(key, [valueAt, pos]);
      }
      pos++;
      return dict;
    }
    throw new BencodeError(pos, `unexpected byte 0x${c.toString(16).padStart(2, '0')} (expected i, l, d or a digit)`);
  };

  if (n === 0) throw new BencodeError(0, 'empty input');
  const value = readValue(0);
  if (pos !== n) throw new BencodeError(pos, `trailing data after the value (${n - pos} bytes)`);
  return { value, spans };
}

/** Canonical encoding; dict keys are sorted here, so any Map encodes canonically. */
export function encode(value: BValue): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    size += b.length;
  };
  const ascii = (s: string): void => push(fromLatin1(s));
  const walk = (v: BValue, depth: number): void => {
    if (depth > 512) throw new RangeError('bencode.encode: nesting deeper than 512 (cyclic value?)');
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new RangeError(`bencode.encode: ${v} is not a safe integer`);
      ascii(`i${Object.is(v, -0) ? 0 : v}e`);
    } else if (typeof v === 'bigint') {
      const s = v.toString();
      if (s.replace('-', '').length > MAX_DIGITS) throw new RangeError(`bencode.encode: ${s} has more than ${MAX_DIGITS} digits`);
      ascii(`i${s}e`);
    }
    else if (v instanceof Uint8Array) {
      ascii(`${v.length}:`);
      push(v);
    } else if (Array.isArray(v)) {
      ascii('l');
      for (const x of v) walk(x, depth + 1);
      ascii('e');
    } else if (v instanceof Map) {
      ascii('d');
      const keys = [...v.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const k of keys) {
        const kb = fromLatin1(k);
        ascii(`${kb.length}:`);
        push(kb);
        walk(v.get(k) as BValue, depth + 1);
      }
      ascii('e');
    } else throw new TypeError(`bencode.encode: cannot encode ${typeof v}`);
  };
  walk(value, 0);
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Bytes as a latin1 string (one char per byte). */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

/** A latin1 string back to bytes; throws on chars above 0xff. */
export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`bencode: key ${JSON.stringify(s)} is not a latin1 byte string (use utf8Key)`);
    out[i] = c;
  }
  return out;
}

/** A dictionary key from a Unicode string (its UTF-8 bytes as latin1). */
export function utf8Key(s: string): string {
  return latin1(new TextEncoder().encode(s));
}

/** Convenience: a byte string from UTF-8 text. */
export function str(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
