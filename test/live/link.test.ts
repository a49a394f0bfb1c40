/**
 * One Link pair over real node-datachannel peer connections, with the signaling done by hand so the
 * test controls what arrives when: answers that do not belong to the link's own offer (a stale one from
 * an earlier negotiation, a duplicate, a forgery) are ignored instead of failing the link.
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

async function first(out: Desc[]): Promise<Desc> {
  for (let i = 0; i < 200 && out.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  if (out.length === 0) throw new Error('no description sent');
  return out[0]!;
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
});
