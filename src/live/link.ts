/**
 * One overlay link: an RTCPeerConnection with one reliable, ordered data channel, negotiated through
 * signaling without trickle ICE (the whole SDP with its candidates is sent once gathering completes:
 * on loopback with no STUN that is immediate, and it avoids candidate/description races).
 * Written against the W3C API, so the browser's RTCPeerConnection and node-datachannel's polyfill
 * (see rtc-node.ts) both drive it.
 *
 * Each negotiation is named by a nonce the initiator draws: its offer carries it, the answer echoes it,
 * and an answer without the link's own nonce (a stale one from an earlier link to the same peer, a
 * duplicate, a forgery) or arriving when no offer is outstanding is ignored rather than failing the link.
 *
 * A negotiation has a third step when the offer went out without the initiator's ICE candidates, as it
 * does from a Node peer (rtc-node.ts withholds them until the answer is committed, working around a
 * libdatachannel race that failed about one link set-up in a hundred under load): once the answer is
 * applied, the initiator sends them as `candidates` (same nonce), and the answerer adds them. Until then
 * ICE connects from the initiator's side alone (the answerer learns its address from its checks); the
 * candidates serve TURN permissions and hole punching. A browser's offer carries them all: no third step.
 *
 * A link is untrusted: every incoming message larger than `maxMessageBytes` or not binary closes it
 * (with a reason), and so does any exception from the message handler (a protocol violation destroys
 * that one connection and never throws into the caller).
 *
 * Sending is flow-controlled: while the channel's own buffer holds more than `highWaterBytes`, messages
 * wait in a queue here and go out as it drains (`bufferedamountlow`, with a poll as a safety net), so a
 * multi-MiB transfer in 64 KiB frames never overflows a browser's send buffer (Chromium fails a send past
 * 16 MiB). The queue is bounded too: past `maxQueuedBytes` the peer is not reading and the link closes.
 */

import { candidatesOf } from './sdp.js';

export interface LinkOptions {
  RTCPeerConnection: typeof globalThis.RTCPeerConnection;
  initiator: boolean;
  /** Sends an SDP description (with this negotiation's nonce) to the remote peer through signaling. */
  sendSignal: (sdp: SignalDescription) => void;
  maxMessageBytes?: number;
  /** Channel buffer level above which sends wait in our queue. Default 1 MiB. */
  highWaterBytes?: number;
  /** Bytes allowed to wait in our queue; beyond, the link closes ('overloaded'). Default 64 MiB. */
  maxQueuedBytes?: number;
  /** Gives up if the channel is not open within this time. Default 15 s. */
  connectTimeoutMs?: number;
  rtcConfig?: RTCConfiguration;
}

/** What goes through signaling: an offer or answer, and the nonce naming the negotiation. */
export interface SignalDescription {
  /** 'offer', 'answer', or 'candidates' (the initiator's candidate lines, one per line, in `sdp`). */
  type: string;
  sdp: string;
  nonce?: string;
}

/** Candidate lines taken from a `candidates` step (a peer gathers a handful; more is not a peer's). */
const MAX_CANDIDATES = 64;

/** 64 random bits in hex (Web Crypto: in browsers and Node alike). */
function drawNonce(): string {
  const w = crypto.getRandomValues(new Uint32Array(2));
  return Array.from(w, (x) => x.toString(16).padStart(8, '0')).join('');
}

export type LinkCloseReason = 'local' | 'remote' | 'timeout' | 'failed' | 'overloaded' | `violation: ${string}`;

export class Link {
  readonly pc: RTCPeerConnection;
  private dc: RTCDataChannel | null = null;
  private closedFlag = false;
  /** The negotiation's name: drawn by the initiator, taken from the offer by the answerer. */
  private nonceValue: string;
  /** Whether this answerer has taken an offer (a second one is ignored). */
  private offerTaken = false;
  /** The offer as sent (initiator), whose candidates the answerer already has. */
  private offeredSdp = '';
  /** Resolves once the answerer has applied the offer (candidates wait for it); answerer only. */
  private offerApplied: Promise<boolean> | null = null;
  private candidatesTaken = false;
  private readonly maxBytes: number;
  private connectTimer: ReturnType<typeof setTimeout> | null;
  private readonly queue: Uint8Array[] = [];
  private queueHead = 0;
  private drainTimer: ReturnType<typeof setInterval> | null = null;
  private readonly highWater: number;
  private readonly maxQueued: number;
  /** Bytes waiting in our queue (not yet handed to the channel). */
  queuedBytes = 0;
  open = false;
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  onopen: () => void = () => {};
  onmessage: (bytes: Uint8Array) => void = () => {};
  onclose: (reason: LinkCloseReason) => void = () => {};

  constructor(private readonly opts: LinkOptions) {
    this.nonceValue = opts.initiator ? drawNonce() : '';
    this.maxBytes = opts.maxMessageBytes ?? 1024 * 1024;
    this.highWater = opts.highWaterBytes ?? 1024 * 1024;
    this.maxQueued = opts.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.pc = new opts.RTCPeerConnection(opts.rtcConfig ?? { iceServers: [] });
    this.pc.onconnectionstatechange = () => {
      const s = this.pc.connectionState;
      if (s === 'failed' || s === 'closed') this.close('failed');
    };
    this.pc.ondatachannel = (ev) => this.setChannel(ev.channel);
    this.connectTimer = setTimeout(() => this.close('timeout'), opts.connectTimeoutMs ?? 15_000);
    if (opts.initiator) {
      this.setChannel(this.pc.createDataChannel('peerlab', { ordered: true }));
      void this.offer();
    }
  }

  private async gathered(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      const check = () => {
        if (this.pc.iceGatheringState === 'complete') {
          clearTimeout(t);
          this.pc.removeEventListener('icegatheringstatechange', check);
          resolve();
        }
      };
      this.pc.addEventListener('icegatheringstatechange', check);
    });
  }

  private async offer(): Promise<void> {
    try {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      await this.gathered();
      if (this.closedFlag) return;
      const d = this.pc.localDescription;
      if (d) {
        this.offeredSdp = d.sdp;
        this.opts.sendSignal({ type: d.type, sdp: d.sdp, nonce: this.nonceValue });
      }
    } catch {
      this.close('failed');
    }
  }

  /** After the answer: the initiator's candidates its offer did not carry, if any (see the top). */
  private sendCandidates(): void {
    const d = this.pc.localDescription;
    if (this.closedFlag || !d) return;
    const missing = candidatesOf(d.sdp).filter((c) => !this.offeredSdp.includes(c));
    if (missing.length > 0) this.opts.sendSignal({ type: 'candidates', sdp: missing.join('\r\n'), nonce: this.nonceValue });
  }

  /** The answerer adds the initiator's candidates once it has applied the offer (bad lines are skipped). */
  private async addCandidates(lines: string): Promise<void> {
    if (!(await this.offerApplied) || this.closedFlag) return;
    const mid = /^a=mid:(\S+)/m.exec(this.pc.remoteDescription?.sdp ?? '')?.[1] ?? '0';
    for (const line of lines.split(/\r?\n/).slice(0, MAX_CANDIDATES)) {
      if (!line.startsWith('candidate:') || this.closedFlag) continue;
      try {
        await this.pc.addIceCandidate({ candidate: line, sdpMid: mid, sdpMLineIndex: 0 });
      } catch {
        // a candidate this end cannot use (another address family, say): ICE goes on with the rest
      }
    }
  }

  /** The nonce naming this link's negotiation ('' for an answerer that has not seen its offer yet). */
  get nonce(): string {
    return this.nonceValue;
  }

  /**
   * Feeds the remote description: the offer, for the answerer (the first one only); the answer, for the
   * initiator (only one echoing its nonce, while its offer is outstanding); the initiator's candidates,
   * for the answerer (once, with its nonce). Anything else is ignored.
   */
  async signal(desc: SignalDescription): Promise<void> {
    if (this.closedFlag) return;
    try {
      if (desc.type === 'offer' && !this.opts.initiator) {
        if (this.offerTaken) return;
        this.offerTaken = true;
        this.nonceValue = desc.nonce ?? '';
        const applied = this.pc.setRemoteDescription({ type: 'offer', sdp: desc.sdp });
        this.offerApplied = applied.then(
          () => true,
          () => false,
        );
        await applied;
        const answer = await this.pc.createAnswer();
        await this.pc.setLocalDescription(answer);
        await this.gathered();
        if (this.closedFlag) return;
        const d = this.pc.localDescription;
        if (d) this.opts.sendSignal({ type: d.type, sdp: d.sdp, nonce: this.nonceValue });
      } else if (desc.type === 'answer' && this.opts.initiator) {
        if (desc.nonce !== this.nonceValue || this.pc.signalingState !== 'have-local-offer') return;
        await this.pc.setRemoteDescription({ type: 'answer', sdp: desc.sdp });
        this.sendCandidates();
      } else if (desc.type === 'candidates' && !this.opts.initiator) {
        if (!this.offerTaken || this.candidatesTaken || desc.nonce !== this.nonceValue) return;
        this.candidatesTaken = true;
        await this.addCandidates(desc.sdp);
      }
    } catch {
      this.close('failed');
    }
  }

  private setChannel(dc: RTCDataChannel): void {
    if (this.dc) {
      dc.close();
      return;
    }
    this.dc = dc;
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = this.highWater / 2;
    dc.onbufferedamountlow = () => this.drain();
    dc.onopen = () => {
      if (this.closedFlag) return;
      this.open = true;
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = null;
      this.onopen();
    };
    dc.onclose = () => this.close('remote');
    dc.onmessage = (ev: MessageEvent) => {
      if (this.closedFlag) return;
      const d: unknown = ev.data;
      let bytes: Uint8Array;
      if (d instanceof ArrayBuffer) bytes = new Uint8Array(d);
      else if (ArrayBuffer.isView(d)) bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      else {
        this.close('violation: text message');
        return;
      }
      if (bytes.length > this.maxBytes) {
        this.close(`violation: message of ${bytes.length} bytes > ${this.maxBytes}`);
        return;
      }
      this.bytesIn += bytes.length;
      this.messagesIn++;
      try {
        this.onmessage(bytes);
      } catch (e) {
        this.close(`violation: ${(e as Error).message}`.slice(0, 200) as LinkCloseReason);
      }
    };
  }

  /** Sends (or queues behind earlier messages); false if the link is not open or just closed. */
  send(bytes: Uint8Array): boolean {
    if (!this.open || !this.dc || this.dc.readyState !== 'open') return false;
    if (this.queueHead === this.queue.length && this.dc.bufferedAmount < this.highWater) return this.sendNow(bytes);
    if (this.queuedBytes + bytes.length > this.maxQueued) {
      this.close('overloaded');
      return false;
    }
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    // bufferedamountlow should wake us; the poll covers a missed event
    if (!this.drainTimer) {
      this.drainTimer = setInterval(() => this.drain(), 20);
      (this.drainTimer as { unref?: () => void }).unref?.();
    }
    return true;
  }

  private sendNow(bytes: Uint8Array): boolean {
    try {
      this.dc!.send(bytes as Uint8Array<ArrayBuffer>);
    } catch {
      this.close('failed');
      return false;
    }
    this.bytesOut += bytes.length;
    this.messagesOut++;
    return true;
  }

  private drain(): void {
    const dc = this.dc;
    while (this.queueHead < this.queue.length && !this.closedFlag && dc && dc.readyState === 'open' && dc.bufferedAmount < this.highWater) {
      const b = this.queue[this.queueHead++]!;
      this.queuedBytes -= b.length;
      if (!this.sendNow(b)) return;
    }
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
      if (this.drainTimer) clearInterval(this.drainTimer);
      this.drainTimer = null;
    } else if (this.queueHead > 1024) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  close(reason: LinkCloseReason = 'local'): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.open = false;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = null;
    this.queue.length = 0;
    this.queueHead = 0;
    this.queuedBytes = 0;
    try {
      this.dc?.close();
    } catch {
      /* already gone */
    }
    try {
      this.pc.close();
    } catch {
      /* already gone */
    }
    this.onclose(reason);
  }
}
