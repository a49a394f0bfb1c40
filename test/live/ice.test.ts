/**
 * ICE settings without a network: STUN/TURN URLs and server lists are read strictly (each refusal names
 * the entry; any input either reads as a valid setting or throws an IceConfigError: fuzzed), the room's
 * settings with `auth: 'rest'`, TURN REST credentials (checked against openssl's HMAC-SHA1), and the
 * servers as libdatachannel receives them. The relay itself: turn.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IceConfigError, parseIceServers, parseIceUrl, RelayCheck } from '../../src/live/ice.js';
import { nativeIceServers } from '../../src/live/rtc-node.js';
import { parseIceRoomSettings, publicIce, resolveIce, turnRestCredential, turnSecretFromEnv } from '../../src/live/turn-rest.js';
import { fuzz } from '../fuzz.js';

describe('ICE URLs', () => {
  it('reads stun:, turn:, turns: with default ports, transports and IPv6 hosts', () => {
    expect(parseIceUrl('stun:stun.example.org')).toEqual({ scheme: 'stun', host: 'stun.example.org', port: 3478, transport: null });
    expect(parseIceUrl('turn:10.0.0.1:3479?transport=tcp')).toEqual({ scheme: 'turn', host: '10.0.0.1', port: 3479, transport: 'tcp' });
    expect(parseIceUrl('turns:turn.example.org')).toEqual({ scheme: 'turns', host: 'turn.example.org', port: 5349, transport: null });
    expect(parseIceUrl('turn:[::1]:3478?transport=udp')).toEqual({ scheme: 'turn', host: '::1', port: 3478, transport: 'udp' });
  });

  it('refuses everything else, saying why', () => {
    const cases: [string, RegExp][] = [
      ['http://turn.example.org', /expected stun:HOST\[:PORT\] or turn:HOST/],
      ['turn:user:pass@host:3478', /expected stun:HOST|bad host/],
      ['stuns:host', /STUN over TLS \(stuns:\) is not supported/],
      ['turn:host:0', /port out of range/],
      ['turn:host:70000', /port out of range/],
      ['stun:host?transport=tcp', /\?transport is for TURN URLs/],
      ['turns:host?transport=udp', /turns: runs over TCP/],
      ['turn:-bad-.example', /bad host/],
      ['turn:', /bad host/],
      [`turn:${'a'.repeat(300)}`, /at most 256 characters/],
    ];
    for (const [u, m] of cases) expect(() => parseIceUrl(u, 'x'), u).toThrow(m);
  });

  it('any text reads as a URL with a host and a port in range, or throws an IceConfigError', () => {
    const piece = fc.constantFrom('stun:', 'turn:', 'turns:', 'stuns:', 'http://', '', ':', '[', ']', '::1', '127.0.0.1', 'host', '?transport=', 'udp', 'tcp', '3478', '99999', '@', '/');
    fuzz(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.array(piece, { maxLength: 8 }).map((p) => p.join(''))), (u) => {
        try {
          const r = parseIceUrl(u);
          expect(r.host.length).toBeGreaterThan(0);
          expect(r.port).toBeGreaterThanOrEqual(1);
          expect(r.port).toBeLessThanOrEqual(65535);
        } catch (e) {
          expect(e).toBeInstanceOf(IceConfigError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ICE server lists', () => {
  it('names the bad entry', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /iceServers: expected a list/],
      [[{ urls: 'turn:h' }], /iceServers\[0\]: a TURN server needs a username and a credential/],
      [[{ urls: [] }], /iceServers\[0\]\.urls: expected a URL or a list of 1-4 URLs/],
      [[{ urls: 'stun:h', user: 'x' }], /iceServers\[0\]: unknown key "user"/],
      [[{ urls: 'stun:h' }, { urls: ['stun:h', 'turn:h:x'] }], /iceServers\[1\]\.urls\[1\]: /],
      [[{ urls: 'turn:h', username: 'u', credential: 'a\nb' }], /iceServers\[0\]\.credential: expected a non-empty string/],
      [Array.from({ length: 9 }, () => ({ urls: 'stun:h' })), /at most 8 servers/],
    ];
    for (const [v, m] of cases) expect(() => parseIceServers(v), JSON.stringify(v)).toThrow(m);
    expect(parseIceServers([{ urls: 'stun:h' }, { urls: ['turn:h', 'turns:h'], username: 'u', credential: 'c' }])).toEqual([
      { urls: ['stun:h'] },
      { urls: ['turn:h', 'turns:h'], username: 'u', credential: 'c' },
    ]);
  });

  it('any value reads as servers whose URLs parse, or throws an IceConfigError', () => {
    const url = fc.oneof(fc.constantFrom('stun:h', 'turn:h', 'turns:h:5349', 'turn:10.1.1.1?transport=tcp', 'x'), fc.string({ maxLength: 12 }));
    const server = fc.record(
      { urls: fc.oneof(url, fc.array(url, { maxLength: 5 }), fc.integer()), username: fc.oneof(fc.string({ maxLength: 6 }), fc.constant(undefined)), credential: fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), extra: fc.constant(1) },
      { requiredKeys: [] },
    );
    fuzz(
      fc.property(fc.oneof(fc.array(server, { maxLength: 10 }), fc.anything()), (v) => {
        try {
          for (const s of parseIceServers(v)) for (const u of s.urls) expect(() => parseIceUrl(u)).not.toThrow();
        } catch (e) {
          expect(e).toBeInstanceOf(IceConfigError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('libdatachannel gets one object per URL, credentials intact', () => {
    expect(
      nativeIceServers([
        { urls: ['stun:s.example'] },
        { urls: ['turn:[::1]:3478?transport=tcp', 'turns:t.example', 'turn:t.example:3479'], username: '1700000000:peer-a', credential: 'ab/c+d==' },
      ]),
    ).toEqual([
      { hostname: 's.example', port: 3478 },
      { hostname: '::1', port: 3478, username: '1700000000:peer-a', password: 'ab/c+d==', relayType: 'TurnTcp' },
      { hostname: 't.example', port: 5349, username: '1700000000:peer-a', password: 'ab/c+d==', relayType: 'TurnTls' },
      { hostname: 't.example', port: 3479, username: '1700000000:peer-a', password: 'ab/c+d==', relayType: 'TurnUdp' },
    ]);
  });
});

describe('TURN REST credentials and the room settings', () => {
  it('are HMAC-SHA1 of "<expiry>:<name>" under the shared secret, base64 (as coturn checks them)', () => {
    // echo -n "1700000000:alice" | openssl dgst -sha1 -hmac "north-secret" -binary | base64
    expect(turnRestCredential('north-secret', 'alice', 3600, (1700000000 - 3600) * 1000)).toEqual({ username: '1700000000:alice', credential: 'g+jb180fcj+xlpA/2mP60OdIgU0=' });
    // the name is only a label: anything odd in it is replaced, never passed on
    expect(turnRestCredential('s', 'room 1/peer:x', 0, 0).username).toBe('0:room_1_peer_x');
  });

  it('room settings: rest servers are minted per peer, static ones passed on, info shows neither credential', () => {
    const s = parseIceRoomSettings({ servers: [{ urls: 'turn:t:3478', auth: 'rest' }, { urls: ['stun:s'] }, { urls: 'turns:t', username: 'u', credential: 'static' }], policy: 'relay' });
    const now = 1_800_000_000_000;
    const a = resolveIce(s, 'sec', 'room-a', 60, now);
    expect(a.iceTransportPolicy).toBe('relay');
    expect(a.iceServers).toEqual([
      { urls: ['turn:t:3478'], ...turnRestCredential('sec', 'room-a', 60, now) },
      { urls: ['stun:s'] },
      { urls: ['turns:t'], username: 'u', credential: 'static' },
    ]);
    expect(resolveIce(s, 'sec', 'room-b', 60, now).iceServers[0]?.username).toBe('1800000060:room-b');
    expect(() => resolveIce(s, null, 'x')).toThrow(/need the TURN server's shared secret on the host/);
    expect(publicIce(s)).toEqual({
      servers: [
        { urls: ['turn:t:3478'], auth: 'rest' },
        { urls: ['stun:s'], auth: 'none' },
        { urls: ['turns:t'], auth: 'static' },
      ],
      policy: 'relay',
    });
    expect(() => parseIceRoomSettings({ servers: [{ urls: 'turn:t', auth: 'rest', username: 'u' }] })).toThrow(/ice\.servers\[0\]: auth 'rest' mints the username and credential/);
    expect(() => parseIceRoomSettings({ servers: [{ urls: 'turn:t', auth: 'hmac' }] })).toThrow(/ice\.servers\[0\]\.auth: expected 'rest'/);
    expect(() => parseIceRoomSettings({ servers: [{ urls: 'stun:a' }, { urls: 'stun:s', auth: 'rest' }] })).toThrow(/ice\.servers\[1\]: auth 'rest' is for TURN URLs/);
  });

  it('the secret comes from a file or a variable of the host', () => {
    expect(turnSecretFromEnv({})).toBeNull();
    expect(turnSecretFromEnv({ PEERLAB_TURN_SECRET: ' s1 \n' })).toBe('s1');
    expect(() => turnSecretFromEnv({ PEERLAB_TURN_SECRET_FILE: '/nonexistent/peerlab-secret' })).toThrow(/PEERLAB_TURN_SECRET_FILE: cannot read \/nonexistent\/peerlab-secret/);
  });
});

describe('RelayCheck', () => {
  class NeverUsed {
    constructor() {
      throw new Error('no connection should be made');
    }
  }
  const RTC = NeverUsed as unknown as typeof globalThis.RTCPeerConnection;

  it('has nothing to check without TURN servers, and fails at once for relay-only ICE with none', () => {
    expect(new RelayCheck(RTC, { iceServers: [{ urls: ['stun:s'] }], iceTransportPolicy: 'all' }).status()).toEqual({ state: 'off', relayCandidates: 0, error: null });
    const r = new RelayCheck(RTC, { iceServers: [], iceTransportPolicy: 'relay' });
    expect(r.status().state).toBe('failed');
    expect(r.status().error).toMatch(/relay-only ICE \(iceTransportPolicy 'relay'\) needs a TURN server, and none is configured/);
  });
});
