/**
 * KEY proofs bound to the connection's DTLS certificates, on the test network's model certificates
 * (test/live/dtls-binding.test.ts does it over real WebRTC): with certificates every link still proves
 * its keys; a pair whose connection a man in the middle splices (each end sees the middle's certificate)
 * refuses the relayed proofs at both ends and counts them, while the rest of the room links and converges.
 * Without certificates (the simulator's case) KEY names none and proofs bind none. And the reader of the
 * fingerprints in a session description (which comes from the far end, untrusted), fuzzed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectionCerts, sdpFingerprint } from '../../../../src/live/dtls-fingerprint.js';
import { F_TRUST, T_KEY, type Frame, type TrustStats } from '../../../../src/protocols/sync/index.js';
import { fuzz } from '../../../fuzz.js';
import { TrustRoom } from './room.js';

function sum(r: TrustRoom, k: keyof TrustStats): number {
  return r.ids.reduce((n, id) => n + r.sync(id).trust!.stats[k], 0);
}

/** The KEY frames peer `id` sent (spied on its host). */
function keysSent(r: TrustRoom): Frame[] {
  const sent: Frame[] = [];
  for (const id of r.ids) {
    const io = r.sync(id).trust!.io;
    const send = io.sendRaw.bind(io);
    io.sendRaw = (p, f) => {
      if (f.t === F_TRUST && f.m.k === T_KEY) sent.push(f);
      return send(p, f);
    };
  }
  return sent;
}

describe('sync trust: KEY proofs bind the DTLS certificates', () => {
  it('with model certificates every link proves its keys, naming both ends\' certificates', () => {
    const r = new TrustRoom({ seed: 31, peers: 6, certs: {}, wire: true });
    for (const id of r.ids) r.net.add(id);
    const sent = keysSent(r);
    r.net.run(10_000);
    r.edit(2000);
    r.net.run(3000);
    expect(sum(r, 'keysProved')).toBeGreaterThan(0);
    expect(sum(r, 'keysRefused')).toBe(0);
    expect(r.net.violations).toBe(0);
    expect(r.honestConverged(), r.net.dump()).toBe(true);
    expect(sent.length).toBeGreaterThan(0);
    for (const f of sent) if (f.t === F_TRUST && f.m.k === T_KEY) expect(f.m.certs?.from.length).toBe(33);
  });

  it('a spliced connection: each end refuses the relayed proof as made on another connection; the rest of the room is unaffected', () => {
    const pair = (a: number, b: number): boolean => (a === 1 && b === 2) || (a === 2 && b === 1);
    const r = new TrustRoom({ seed: 32, peers: 6, certs: { relayed: pair } });
    r.join(5000);
    r.edit(2000);
    r.net.run(3000);
    const s1 = r.sync(1).trust!.stats;
    const s2 = r.sync(2).trust!.stats;
    // 1 and 2 meet (a 6-peer room links everyone to everyone sooner or later), but never trust the link
    expect(s1.keysRelayed + s2.keysRelayed).toBeGreaterThan(0);
    expect(sum(r, 'keysRelayed')).toBe(s1.keysRelayed + s2.keysRelayed);
    expect(sum(r, 'keysRefused')).toBe(sum(r, 'keysRelayed'));
    expect(r.sync(1).trust!.trusted(2)).toBeUndefined();
    expect(r.sync(2).trust!.trusted(1)).toBeUndefined();
    const why = r.net.peers.get(1)!.events.concat(r.net.peers.get(2)!.events).flatMap((e) => (e.type === 'violation' ? [e.reason] : []));
    expect(why.length).toBeGreaterThan(0);
    for (const w of why) expect(w).toMatch(/made on another DTLS connection/);
    expect(r.honestConverged(), r.net.dump()).toBe(true);
  });

  it('without certificates KEY names none', () => {
    const r = new TrustRoom({ seed: 33, peers: 4, wire: true });
    for (const id of r.ids) r.net.add(id);
    const sent = keysSent(r);
    r.net.run(8000);
    expect(sent.length).toBeGreaterThan(0);
    for (const f of sent) if (f.t === F_TRUST && f.m.k === T_KEY) expect(f.m.certs).toBeNull();
    expect(sum(r, 'keysRefused')).toBe(0);
  });
});

describe('DTLS fingerprints read from session descriptions (src/live/dtls-fingerprint.ts)', () => {
  const HASHES = [
    ['sha-1', 1, 20],
    ['sha-224', 2, 28],
    ['sha-256', 3, 32],
    ['sha-384', 4, 48],
    ['sha-512', 5, 64],
  ] as const;
  const hexOf = (d: Uint8Array, upper: boolean): string => Array.from(d, (x) => x.toString(16).padStart(2, '0')).map((h) => (upper ? h.toUpperCase() : h)).join(':');
  const fingerprint = fc.constantFrom(...HASHES).chain(([name, code, n]) => fc.record({ name: fc.constant(name), code: fc.constant(code), digest: fc.uint8Array({ minLength: n, maxLength: n }), upper: fc.boolean() }));
  const sdpWith = (lines: string[]): string => ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', ...lines, 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=setup:actpass'].join('\r\n');

  it('reads the fingerprint a description names, at session or media level, once or repeated', () => {
    fuzz(
      fc.property(fingerprint, fc.nat({ max: 3 }), (f, copies) => {
        const line = `a=fingerprint:${f.name} ${hexOf(f.digest, f.upper)}`;
        const got = sdpFingerprint(sdpWith(Array.from({ length: 1 + copies }, () => line)));
        expect(got).toEqual(new Uint8Array([f.code, ...f.digest]));
      }),
      { numRuns: 200 },
    );
  });

  it('gives null, never a throw, for a description naming none, two different ones, an unknown hash or a bad digest', () => {
    fuzz(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const got = sdpFingerprint(s);
        if (got !== null) expect(HASHES.some(([, code, n]) => got[0] === code && got.length === 1 + n)).toBe(true);
      }),
      { numRuns: 300 },
    );
    fuzz(
      fc.property(fingerprint, fingerprint, fc.nat(), fc.nat({ max: 255 }), (f, g, at, v) => {
        const line = `a=fingerprint:${f.name} ${hexOf(f.digest, f.upper)}`;
        const other = `a=fingerprint:${g.name} ${hexOf(g.digest, g.upper)}`;
        const same = f.code === g.code && f.digest.every((x, i) => x === g.digest[i]);
        expect(sdpFingerprint(sdpWith([line, other])) === null).toBe(!same);
        // one character changed anywhere in the line: the same, another well-formed fingerprint, or null
        const bent = line.slice(0, at % line.length) + String.fromCharCode(v) + line.slice((at % line.length) + 1);
        const got = sdpFingerprint(sdpWith([bent]));
        if (got !== null) expect(got.length).toBeGreaterThan(20);
      }),
      { numRuns: 200 },
    );
    expect(sdpFingerprint(sdpWith([]))).toBeNull();
    expect(sdpFingerprint(sdpWith(['a=fingerprint:md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF']))).toBeNull();
    expect(sdpFingerprint(sdpWith([`a=fingerprint:sha-256 ${'AB:'.repeat(31)}A`]))).toBeNull();
    expect(sdpFingerprint(sdpWith([`a=fingerprint:sha-256 ${'AB:'.repeat(32)}AB`]))).toBeNull();
    expect(sdpFingerprint(undefined)).toBeNull();
    expect(sdpFingerprint('a'.repeat(300_000))).toBeNull();
  });

  it('reads what Chromium and libdatachannel write', () => {
    const chromium =
      'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:Qd2v\r\na=ice-pwd:6cQ0ZTzcR3KzJwS3+bMBs3yq\r\na=ice-options:trickle\r\na=fingerprint:sha-256 5B:0F:F4:3B:88:3E:4D:37:06:1E:0A:36:CB:9A:E6:2D:63:25:8A:5E:9E:8D:6C:39:0E:D4:B4:8B:46:33:92:7F\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n';
    const ldc =
      'v=0\r\no=rtc 3150245733 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=group:LS 0\r\na=msid-semantic:WMS *\r\na=setup:actpass\r\na=ice-ufrag:Mb9E\r\na=ice-pwd:ysw5P9TzqHxU1m1ufZVFbs\r\na=ice-options:ice2,trickle\r\na=fingerprint:sha-256 0A:C0:94:2A:A8:34:FB:4D:CF:62:D4:A0:9A:93:4C:4C:56:52:9D:8B:F7:01:E4:BF:13:32:55:A6:A5:97:33:DB\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n';
    expect(sdpFingerprint(chromium)?.subarray(0, 3)).toEqual(new Uint8Array([3, 0x5b, 0x0f]));
    expect(sdpFingerprint(ldc)?.subarray(0, 3)).toEqual(new Uint8Array([3, 0x0a, 0xc0]));
    expect(connectionCerts({ localDescription: { sdp: chromium } as RTCSessionDescription, remoteDescription: { sdp: ldc } as RTCSessionDescription })).toEqual({ from: sdpFingerprint(chromium), to: sdpFingerprint(ldc) });
    expect(connectionCerts({ localDescription: { sdp: chromium } as RTCSessionDescription, remoteDescription: null })).toBeNull();
  });
});
