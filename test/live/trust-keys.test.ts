/**
 * Live peers' keys: Ed25519 through WebCrypto, the peer id from the key's SHA-256, the key file in a data
 * directory (0600, kept across restarts, never overwritten, refused when damaged or readable by others),
 * and a room of sync peers running on the test network with these real keys (WebCrypto answers later
 * than the frames: the trust layer's queues keep each link in order) that isolates corrupting forwarders.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { linkSigningData, type TrustCrypto } from '../../src/protocols/sync/index.js';
import { KEY_FILE, loadOrCreatePeerKeys } from '../../src/live/trust-key-file.js';
import { createPeerKeys, importPeerKeys, type PeerKeys } from '../../src/live/trust-keys.js';
import { TrustRoom } from '../protocols/sync/trust/room.js';

const call = <T>(f: (done: (v: T) => void) => void): Promise<T> => new Promise((resolve) => f(resolve));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'peerlab-key-'));
  dirs.push(d);
  return d;
}

describe('live trust keys', () => {
  it('the id is the first 32 bits of SHA-256 of the public key; signatures verify and tampering fails', async () => {
    const a = await createPeerKeys();
    const b = await createPeerKeys();
    expect(a.id).toBe(createHash('sha256').update(a.publicKey).digest().readUInt32BE(0));
    expect(await call<number>((d) => b.idOf(a.publicKey, d))).toBe(a.id);
    const data = linkSigningData('room', a.id, b.id, 'abc', null);
    const sig = await call<Uint8Array>((d) => a.sign(data, d));
    expect(sig.length).toBe(64);
    expect(await call<boolean>((d) => b.verify(a.publicKey, data, sig, d))).toBe(true);
    const bent = data.slice();
    bent[bent.length - 1]! ^= 1;
    expect(await call<boolean>((d) => b.verify(a.publicKey, bent, sig, d))).toBe(false);
    expect(await call<boolean>((d) => b.verify(b.publicKey, data, sig, d))).toBe(false);
    // 32 bytes that are no curve point: a failed check, not a throw
    expect(await call<boolean>((d) => b.verify(new Uint8Array(32).fill(0xff), data, sig, d))).toBe(false);
    const again = await importPeerKeys(await a.exportPkcs8());
    expect(again.id).toBe(a.id);
    expect(Buffer.from(again.publicKey)).toEqual(Buffer.from(a.publicKey));
  });

  it('the key file is made 0600 once and read back on restart; a damaged or world-readable one is refused and kept', async () => {
    const dir = tmp();
    const k1 = await loadOrCreatePeerKeys(dir);
    const file = path.join(dir, KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await loadOrCreatePeerKeys(dir)).id).toBe(k1.id);
    expect(fs.readdirSync(dir)).toEqual([KEY_FILE]);
    fs.chmodSync(file, 0o644);
    await expect(loadOrCreatePeerKeys(dir)).rejects.toThrow(/readable by others.*chmod 600/);
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, Buffer.from('not a key'));
    await expect(loadOrCreatePeerKeys(dir)).rejects.toThrow(/key\.pkcs8: not an Ed25519 private key/);
    expect(fs.readFileSync(file, 'utf8')).toBe('not a key');
  });

  it('two processes making the key at once end with one key', async () => {
    const dir = tmp();
    const [a, b] = await Promise.all([loadOrCreatePeerKeys(dir), loadOrCreatePeerKeys(dir)]);
    expect(a.id).toBe(b.id);
    expect(fs.readdirSync(dir)).toEqual([KEY_FILE]);
  });

  it('a room with real Ed25519 keys isolates 2 corrupting forwarders of 8 and converges', async () => {
    // fixed keys (PKCS#8 of a fixed 32-byte seed), so the ids and the run are the same every time
    const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
    const keys: PeerKeys[] = [];
    for (let i = 0; i < 8; i++) keys.push(await importPeerKeys(new Uint8Array(Buffer.concat([prefix, Buffer.alloc(32, i + 1)]))));
    const byId = new Map(keys.map((k) => [k.id, k]));
    let pending = 0;
    // counts WebCrypto calls in flight, so each step of virtual time ends with every answer in
    const counted = (c: TrustCrypto): TrustCrypto => {
      const wrap =
        <A extends unknown[], R>(f: (...a: [...A, (r: R) => void]) => void) =>
        (...a: [...A, (r: R) => void]) => {
          const done = a.pop() as (r: R) => void;
          pending++;
          f(...(a as unknown as A), (r: R) => {
            pending--;
            done(r);
          });
        };
      return { publicKey: c.publicKey, sign: wrap(c.sign.bind(c)), verify: wrap(c.verify.bind(c)), idOf: wrap(c.idOf.bind(c)) };
    };
    const r = new TrustRoom({ seed: 21, peers: 8, attackers: 2, behaviour: 'corrupt', ids: keys.map((k) => k.id), cryptoFor: (id) => counted(byId.get(id)!) });
    const settle = async (): Promise<void> => {
      while (pending > 0) await new Promise((res) => setImmediate(res));
    };
    const step = async (ms: number, edit: boolean): Promise<void> => {
      for (let t = 0; t < ms; t += 50) {
        if (edit && t % 100 === 0) r.net.edit(r.net.rng.pick(r.honest));
        r.net.run(50);
        await settle();
      }
    };
    for (const id of r.ids) {
      r.net.add(id);
      await step(200, false);
    }
    await step(2000, false);
    let isolatedAt = -1;
    for (let t = 0; t < 30_000 && isolatedAt < 0; t += 250) {
      await step(250, true);
      if (r.attackers.every((a) => r.isolated(a))) isolatedAt = t + 250;
    }
    expect(isolatedAt, r.net.dump()).toBeGreaterThan(0);
    await step(5000, false);
    expect(r.honestCuts()).toBe(0);
    expect(r.honestConverged()).toBe(true);
    // caught on proof: altered copies (bad seals) or altered proofs of possession
    const sum = (k: 'forged' | 'probesFailed' | 'keysProved' | 'cuts'): number => r.honest.reduce((n, h) => n + r.sync(h).trust!.stats[k], 0);
    expect(sum('forged') + sum('probesFailed')).toBeGreaterThan(0);
    expect(sum('keysProved')).toBeGreaterThan(0);
    expect(sum('cuts')).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
