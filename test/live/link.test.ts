/**
 * Link pairs over real node-datachannel peer connections, with the signaling done by hand so the test
 * controls what arrives when: answers that do not belong to the link's own offer (a stale one from an
 * earlier negotiation, a duplicate, a forgery) are ignored instead of failing the link; a Node initiator
 * keeps its ICE candidates until its answer is applied, so nothing of the answerer's reaches it before
 * (libdatachannel 0.24 could connect ICE, and fail DTLS, in the middle of applying the answer: about one
 * set-up in a hundred under load closed with 'failed').
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Link, type LinkCloseReason } from '../../src/live/link.js';
import { nodeWrtc } from '../../src/live/rtc-node.js';

type Desc = { type: string; sdp: string; nonce?: string };

const made: Link[] = [];
afterEach(() => {
  for (const l of made.splice(0)) l.close();
});

/** A link whose outgoing descriptions are collected rather than sent. */
function link(initiator: boolean): { link: Link; out: Desc[]; closed: LinkCloseReason[]; opened: Promise<void> } {
  const out: Desc[] = [];
  const closed: LinkCloseReason[] = [];
  const l = new Link({ RTCPeerConnection: nodeWrtc().RTCPeerConnection, initiator, sendSignal: (d) => void out.push(d) });
  made.push(l);
  const opened = new Promise<void>((resolve, reject) => {
    l.onopen = resolve;
    l.onclose = (r) => {
      closed.push(r);
      reject(new Error(`closed: ${r}`));
    };
  });
  opened.catch(() => {});
  return { link: l, out, closed, opened };
}

async function nth(out: Desc[], i: number): Promise<Desc> {
  for (let k = 0; k < 200 && out.length <= i; k++) await new Promise((r) => setTimeout(r, 25));
  if (out.length <= i) throw new Error(`no description #${i} sent`);
  return out[i]!;
}
const first = (out: Desc[]): Promise<Desc> => nth(out, 0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Exchanges one message each way on an open pair. */
async function exchange(a: Link, b: Link): Promise<number[]> {
  const got: number[] = [];
  b.onmessage = (bytes) => got.push(bytes.length);
  a.onmessage = (bytes) => got.push(-bytes.length);
  a.send(new Uint8Array(1000));
  b.send(new Uint8Array(10));
  for (let i = 0; i < 100 && got.length < 2; i++) await sleep(20);
  return got.sort((x, y) => x - y);
}

describe('Link negotiation', () => {
  it('an answer to another offer is ignored; the right one opens the link; a duplicate later changes nothing', async () => {
    const a = link(true);
    const b = link(false);
    const stray = link(false); // answers an offer of a link that no longer exists
    const other = link(true);
    const offer = await first(a.out);
    expect(offer.type).toBe('offer');
    expect(offer.nonce).toMatch(/^[0-9a-f]{16}$/);
    await stray.link.signal(await first(other.out));
    const strayAnswer = await first(stray.out);
    expect(strayAnswer.nonce).not.toBe(offer.nonce);
    await a.link.signal(strayAnswer);
    await b.link.signal(offer);
    const answer = await first(b.out);
    expect(answer).toMatchObject({ type: 'answer', nonce: offer.nonce });
    await a.link.signal(answer);
    await b.link.signal(await nth(a.out, 1)); // the initiator's candidates
    await Promise.all([a.opened, b.opened]);
    await a.link.signal(answer); // the same answer again, once the link is up
    await b.link.signal(offer); // and the same offer again
    await new Promise((r) => setTimeout(r, 300));
    expect(a.closed).toEqual([]);
    expect(b.closed).toEqual([]);
    expect(a.link.open && b.link.open).toBe(true);
    const got: number[] = [];
    b.link.onmessage = (bytes) => got.push(bytes.length);
    expect(a.link.send(new Uint8Array(1000))).toBe(true);
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([1000]);
  });

  it("a Node initiator's offer carries no candidates, so the answerer's ICE cannot reach it before the answer; they follow the applied answer once, with its nonce", async () => {
    const a = link(true);
    const b = link(false);
    const offer = await first(a.out);
    expect(offer.sdp).toMatch(/a=ice-ufrag:/);
    expect(offer.sdp).not.toMatch(/a=candidate:|a=end-of-candidates/);
    await b.link.signal(offer);
    const answer = await first(b.out);
    expect(answer.sdp).toMatch(/a=candidate:/);
    // the answer is held back a while: with the offer's candidates the answerer's ICE used to connect
    // now (the initiator's ICE agent answered its checks), priming the initiator to connect mid-answer
    await sleep(400);
    expect(b.link.pc.iceConnectionState).not.toMatch(/connected|completed/);
    expect(a.out).toHaveLength(1);
    await a.link.signal(answer);
    const cands = await nth(a.out, 1);
    expect(cands.type).toBe('candidates');
    expect(cands.nonce).toBe(offer.nonce);
    const lines = cands.sdp.split('\r\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).toMatch(/^candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 \d+ typ host/);
      expect(a.link.pc.localDescription!.sdp).toContain(`a=${l}`);
    }
    await b.link.signal({ ...cands, nonce: 'ffffffffffffffff' }); // not this negotiation's: ignored
    await b.link.signal(cands);
    await b.link.signal(cands); // twice: the second changes nothing
    await Promise.all([a.opened, b.opened]);
    await sleep(100);
    expect(a.out).toHaveLength(2);
    expect(a.closed).toEqual([]);
    expect(b.closed).toEqual([]);
    expect(await exchange(a.link, b.link)).toEqual([-10, 1000]);
  });

  it('opens from the initiator\'s checks alone if its candidates never arrive', async () => {
    const a = link(true);
    const b = link(false);
    await b.link.signal(await first(a.out));
    await a.link.signal(await first(b.out));
    await Promise.all([a.opened, b.opened]);
    expect(await exchange(a.link, b.link)).toEqual([-10, 1000]);
  });

  it('48 set-ups, 12 at a time: every link opens (one in a hundred failed before)', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 4; round++) {
      const pairs = Array.from({ length: 12 }, () => ({ a: link(true), b: link(false) }));
      await Promise.all(
        pairs.map(async ({ a, b }) => {
          try {
            await b.link.signal(await first(a.out));
            await a.link.signal(await first(b.out));
            await b.link.signal(await nth(a.out, 1));
            await Promise.all([a.opened, b.opened]);
          } catch (e) {
            failures.push(`${(e as Error).message} (initiator ${a.closed.join()}, answerer ${b.closed.join()})`);
          }
        }),
      );
      for (const { a, b } of pairs) {
        a.link.close();
        b.link.close();
      }
    }
    expect(failures).toEqual([]);
  });
});
