/**
 * What the trust layer takes from the sync peer it is plugged into (peer.ts implements it), its events and
 * its counters.
 */
import type { Rng, TimerId } from '../../../core/index.js';
import type { MsgId } from '../../gossip/index.js';
import type { Frame } from '../wire/frames.js';
import type { LinkCerts } from './messages.js';

export interface TrustIO {
  readonly self: number;
  readonly room: string;
  readonly rng: Rng;
  now(): number;
  /** A timer in the trust layer's own tag range (0..15). */
  setTimer(delayMs: number, tag: number, data?: unknown): TimerId;
  /** Puts a frame on the open link to `peer` as is (no behaviour applied); false if there is none. */
  sendRaw(peer: number, f: Frame): boolean;
  /** The negotiation nonce of the open link to `peer`, or undefined if there is no open link. */
  linkNonce(peer: number): string | undefined;
  /**
   * Whether links have DTLS certificates that KEY proofs must bind (live WebRTC: yes; the simulator and
   * the test network model no transport security, and their proofs bind none).
   */
  readonly bindsCerts: boolean;
  /** The DTLS certificates of the open link to `peer` as this end sees them (ours, theirs); null if unreadable. */
  linkCerts(peer: number): LinkCerts | null;
  /** Closes a link on purpose, saying BYE first (a cut, or rewiring). */
  drop(peer: number, reason: string): void;
  /** The peer broke the rules on its link: close, count, ban. */
  violation(peer: number, reason: string): void;
  /** The far end of `peer`'s link proved its key: the peer's usual link-up runs now. */
  ready(peer: number): void;
  /** A frame that passed the trust layer (checked, or released after the key proof): the usual path. */
  process(peer: number, f: Frame, bytes: number): void;
  /** Spreads a sealed payload by gossip (Plumtree or flood); it gets the id `nextId()` said. */
  spread(payload: Uint8Array): void;
  /** The id the next spread payload will carry. */
  nextId(): MsgId;
  /** Opens one more link to a random member for rewiring to measure (when the view is full); its peer, or -1. */
  trial(): number;
  event(e: TrustEvent): void;
}

export type TrustEvent =
  | { type: 'trusted'; peer: number }
  /** A neighbour cut off: its combined score fell below the threshold, or it kept lying about peers we know. */
  | { type: 'cut'; peer: number; score: number; why: 'score' | 'liar' }
  | { type: 'forged'; peer: number; why: string }
  | { type: 'rewired'; dropped: number; added: number };

export interface TrustStats {
  /** Links whose far end proved its key / failed to. */
  keysProved: number;
  keysRefused: number;
  /** Of those refused, key proofs made on another DTLS connection than the one they came on (relayed by a man in the middle). */
  keysRelayed: number;
  /** Gossiped messages with a good seal / caught with a bad one (forged, altered, unsealed, junk). */
  sealsChecked: number;
  forged: number;
  /** Of those, pushed updates (too big for gossip): with a good seal / a bad or missing one; our own pushes sealed. */
  pushSealsChecked: number;
  pushesForged: number;
  pushesSealed: number;
  /** Sealed updates dropped for carrying structs of a Yjs client bound (by a checked seal) to another origin. */
  foreignClients: number;
  /** Anti-entropy: sealed originals sent, taken in with a good seal, caught with a bad one (also in forged). */
  originalsOut: number;
  originalsIn: number;
  originalsForged: number;
  /** Sync replies carrying structs no sealed original covered (taken as the replier's claim) / refused (edits as another origin). */
  repliesUnsealed: number;
  repliesRefused: number;
  /** Probes sent, answered with a good proof, answered wrongly or not at all. */
  probesSent: number;
  probesPassed: number;
  probesFailed: number;
  probesTimedOut: number;
  /** Probes from others for a message we do not hold (answered "not held"), proofs for no probe of ours. */
  probesForUnknown: number;
  proofsUnasked: number;
  /** Opinion lists taken in, and dropped: replayed, longer than maxOpinions, malformed. */
  opinionsTaken: number;
  opinionsReplayed: number;
  opinionsOversize: number;
  opinionsMalformed: number;
  /** Opinion entries that contradicted our own first-hand view (each is evidence against its reporter). */
  lies: number;
  cuts: number;
  /** Of those, cut for lying (the rest fell below the threshold). */
  liarCuts: number;
  rewires: number;
  trials: number;
  /** Frames held while a key or signature was checked. */
  held: number;
  /** Bytes this peer sent for trust (keys, probes, proofs, opinions, pings). */
  bytesOut: number;
  /** What an attacking peer did: messages it tampered with, junk it sent, messages it did not pass on. */
  tampered: number;
  junk: number;
  withheld: number;
}

export function newTrustStats(): TrustStats {
  return {
    keysProved: 0, keysRefused: 0, keysRelayed: 0, sealsChecked: 0, forged: 0, pushSealsChecked: 0, pushesForged: 0, pushesSealed: 0,
    foreignClients: 0, originalsOut: 0, originalsIn: 0, originalsForged: 0, repliesUnsealed: 0, repliesRefused: 0, probesSent: 0, probesPassed: 0, probesFailed: 0, probesTimedOut: 0,
    probesForUnknown: 0, proofsUnasked: 0, opinionsTaken: 0, opinionsReplayed: 0, opinionsOversize: 0, opinionsMalformed: 0, lies: 0,
    cuts: 0, liarCuts: 0, rewires: 0, trials: 0, held: 0, bytesOut: 0, tampered: 0, junk: 0, withheld: 0,
  };
}
