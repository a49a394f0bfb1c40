/**
 * Node peers (one process each, real node-datachannel WebRTC on loopback) co-edit with random concurrent
 * edits while one peer leaves and rejoins and the room is partitioned and healed; every replica must end
 * with the same text. Run inside a loopback-only network namespace (npm test does).
 * Seeded: PEERLAB_SEED=<n> replays a failure.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { PeerProcess } from '../../src/live/peer-process-client.js';
import { PeerProcess as Proc } from '../../src/live/peer-process-client.js';
import { SignalingServer } from '../../src/live/signaling/server.js';
import { Rng } from '../../src/sim/rng.js';
import { converge, sleep, spawnPeers, tmpDir } from './helpers.js';

const SEED = Number(process.env.PEERLAB_SEED ?? 20261125);
const N = 6;
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

async function scenario(mode: 'overlay' | 'ywebrtc', seed: number): Promise<void> {
  console.log(`[converge ${mode}] seed ${seed} (replay: PEERLAB_SEED=${seed})`);
  const rng = new Rng(seed);
  const sig = new SignalingServer();
  await sig.listen();
  cleanup.push(() => sig.close());
  const base = tmpDir();
  const opts = (i: number) => ({
    room: `conv-${mode}`,
    signaling: sig.url,
    mode,
    docs: ['main'],
    name: `node${i}`,
    peerId: 1000 + i,
    dataDir: `${base}/peer${i}`,
    seed: seed + i,
    shuffleMs: 1500,
    antiEntropyMs: 500,
  });
  const peers: PeerProcess[] = await spawnPeers(N, opts);
  cleanup.push(async () => void (await Promise.all(peers.map((p) => p.close()))));
  await sleep(1500);
  const burst = (who: PeerProcess[], count: number) =>
    Promise.all(who.map((p) => p.call('edits', { doc: 'main', seed: rng.int(2 ** 31), count: 1 + rng.int(count), intervalMs: 5 + rng.int(20) })));

  // 1. everyone edits concurrently; meanwhile one peer leaves (gracefully) and another crashes
  const leaver = rng.int(N);
  let crasher = rng.int(N);
  if (crasher === leaver) crasher = (crasher + 1) % N;
  const edits1 = burst(peers, 40).catch(() => {}); // the two that leave stop answering
  await sleep(200);
  await peers[leaver]!.close();
  await peers[crasher]!.kill9();
  await edits1;
  await burst(peers.filter((p) => p.alive), 20);
  // 2. they come back (same identity, same data dir: they load their logs)
  for (const i of [leaver, crasher]) peers[i] = new Proc(opts(i));
  await Promise.all(peers.map((p) => p.ready));
  // 3. partition {0,1,2} | {3,4,5}, edit on both sides, heal. (y-webrtc mode is a full mesh with no
  //    notion of refusing some peers: there a blocked peer is cut off from everyone until healed.)
  const left = peers.slice(0, 3);
  const right = peers.slice(3);
  const idsOf = (ps: PeerProcess[]) => ps.map((p) => p.id);
  await Promise.all([
    ...left.map((p) => p.call('block', { peers: idsOf(right) })),
    ...right.map((p) => p.call('block', { peers: idsOf(left) })),
  ]);
  await burst(peers, 30);
  if (mode === 'overlay') {
    const leftText = await converge(left, 'main', 20_000, `${mode} left side`);
    // the sides really were apart: the right side does not yet have the left side's text
    const rightTexts = await Promise.all(right.map((p) => p.text('main')));
    expect(rightTexts.some((t) => t !== leftText)).toBe(true);
  }
  await Promise.all(peers.map((p) => p.call('unblock')));
  await burst(peers, 10);
  const text = await converge(peers, 'main', 40_000, `${mode} after heal (seed ${seed})`);
  expect(text.length).toBeGreaterThan(20);
  if (mode === 'overlay') {
    // a partial view, not a full mesh
    const states = await Promise.all(peers.map((p) => p.state()));
    const degrees = states.map((s) => s.links.filter((l) => l.open).length);
    console.log(`[converge ${mode}] link degrees ${degrees.join(' ')}`);
    expect(Math.max(...degrees)).toBeLessThanOrEqual(6);
    expect(states.every((s) => s.docs[0]?.pending === false)).toBe(true);
  }
  await Promise.all(peers.map((p) => p.close()));
  await sig.close();
}

describe('live convergence (Node peers over real WebRTC)', () => {
  it('overlay mode: concurrent edits, leave/crash/rejoin, a partition that heals -> all replicas equal', async () => {
    await scenario('overlay', SEED);
  });
  it('y-webrtc mode: the same', async () => {
    await scenario('ywebrtc', SEED + 1);
  });
});
