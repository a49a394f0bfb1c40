/**
 * Awareness (who is here, where their cursor is) across a bridge (docs/sync.md, "Mixed rooms"): the
 * states simulated editors spread in their population reach the live room as states of the bridge's
 * live document, and the live room's states (windows, Node peers) reach the population through the
 * bridge's slot, so a window lists simulated editors with their cursors and a simulated peer holds the
 * windows' states.
 *
 * Both worlds keep a client's newest state by its clock (y-protocols' rule; SimAwareness keeps it too),
 * so a state relayed one way and echoed back is not news and goes no further. Each side relays only
 * what it did not get from the other: live states of this population's own clients never go back in.
 *
 * Simulated editors say where their cursor is as a character index into their replica; a window's
 * editor (y-codemirror) reads a cursor as Yjs relative positions, so the index becomes one in the
 * bridge's live document here (the replica the window syncs with; a few ms behind the editor's at most).
 * Their names become their names in the Live graph (`sim-<population>.<slot>`).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { SimAwareness } from '../../protocols/sync/sim/awareness.js';

/** Origin of awareness states put into the live room from the population (not relayed back). */
export const FROM_SIM_AWARENESS = Symbol('awareness-from-simulation');

/** The colours a window draws simulated editors' cursors in (the Live legend's "Simulated peer"). */
const SIM_COLOUR = '#0284c7';
const SIM_COLOUR_LIGHT = '#7dd3fc55';

/**
 * The bridge slot's awareness in the simulation: like any simulated peer's, and what is news to it
 * (from its simulated neighbours, or its own cursor) is handed to `onNews` for the live room.
 */
export class BridgeSlotAwareness extends SimAwareness {
  constructor(private readonly onNews: (update: Uint8Array) => void) {
    super();
  }

  override setLocal(client: number, state: unknown): Uint8Array {
    const u = super.setLocal(client, state);
    this.onNews(u);
    return u;
  }

  override apply(update: Uint8Array): Uint8Array | null {
    const fresh = super.apply(update);
    if (fresh) this.onNews(fresh);
    return fresh;
  }

  /** A state from the live room: held here (its echo is then no news), not handed back; the news part, or null. */
  take(update: Uint8Array): Uint8Array | null {
    return super.apply(update);
  }
}

export interface AwarenessBridgeOptions {
  /** The bridge's live document and its awareness in the room. */
  liveDoc: Y.Doc;
  live: awarenessProtocol.Awareness;
  /** Whether a Yjs client id is one of the population's replicas. */
  isSimClient: (client: number) => boolean;
  /** The Live graph's name of a simulated client (`sim-1.12`), or null to keep the state's own. */
  nameOf: (client: number) => string | null;
  /** Spreads a live state in the population as the bridge slot's news (false: the slot is offline). */
  toSim: (update: Uint8Array) => void;
}

interface Entry {
  client: number;
  clock: number;
  json: string;
}

function decodeUpdate(update: Uint8Array): Entry[] {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) out.push({ client: decoding.readVarUint(d), clock: decoding.readVarUint(d), json: decoding.readVarString(d) });
  return out;
}

function encodeUpdate(entries: readonly Entry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const x of entries) {
    encoding.writeVarUint(e, x.client);
    encoding.writeVarUint(e, x.clock);
    encoding.writeVarString(e, x.json);
  }
  return encoding.toUint8Array(e);
}

export class AwarenessBridge {
  readonly slot: BridgeSlotAwareness;
  /** Simulated clients whose states are in the live room now (removed from it when the bridge goes). */
  private readonly relayed = new Set<number>();
  private closed = false;
  private readonly onLive: (c: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => void;
  /** States relayed each way. */
  readonly stats = { toLive: 0, toSim: 0 };

  constructor(private readonly o: AwarenessBridgeOptions) {
    this.slot = new BridgeSlotAwareness((u) => this.fromSim(u));
    this.onLive = ({ added, updated, removed }, origin) => {
      if (origin === FROM_SIM_AWARENESS || this.closed) return;
      const clients = [...added, ...updated, ...removed].filter((c) => !o.isSimClient(c));
      if (clients.length === 0) return;
      const news = this.slot.take(awarenessProtocol.encodeAwarenessUpdate(o.live, clients));
      if (news) {
        this.stats.toSim += clients.length;
        o.toSim(news);
      }
    };
    o.live.on('update', this.onLive);
  }

  /** Every live state held now, into the population (when the population starts, or after a gap). */
  seed(): void {
    const clients = [...this.o.live.getStates().keys()].filter((c) => !this.o.isSimClient(c));
    if (clients.length > 0) this.onLive({ added: clients, updated: [], removed: [] }, null);
  }

  private fromSim(update: Uint8Array): void {
    if (this.closed) return;
    let entries: Entry[];
    try {
      entries = decodeUpdate(update);
    } catch {
      return; // SimAwareness made it: not reached
    }
    // the population's own clients only (live states it holds came from here)
    const out = entries.filter((x) => this.o.isSimClient(x.client)).map((x) => ({ ...x, json: this.translate(x.client, x.json) }));
    if (out.length === 0) return;
    for (const x of out) {
      if (x.json === 'null') this.relayed.delete(x.client);
      else this.relayed.add(x.client);
    }
    this.stats.toLive += out.length;
    awarenessProtocol.applyAwarenessUpdate(this.o.live, encodeUpdate(out), FROM_SIM_AWARENESS);
  }

  /** A simulated state as a window reads one: its graph name, its cursor as relative positions in the live document. */
  private translate(client: number, json: string): string {
    let state: unknown;
    try {
      state = JSON.parse(json);
    } catch {
      return json;
    }
    if (state === null || typeof state !== 'object' || Array.isArray(state)) return json;
    const s = { ...(state as Record<string, unknown>) };
    const name = this.o.nameOf(client);
    if (name !== null) {
      const user = s.user !== null && typeof s.user === 'object' ? (s.user as Record<string, unknown>) : {};
      s.user = { color: SIM_COLOUR, colorLight: SIM_COLOUR_LIGHT, ...user, name };
    }
    const cursor = s.cursor as { anchor?: unknown; head?: unknown } | undefined;
    if (cursor && typeof cursor.anchor === 'number' && typeof cursor.head === 'number') {
      const text = this.o.liveDoc.getText('text');
      const at = (i: number) => Y.createRelativePositionFromTypeIndex(text, Math.max(0, Math.min(text.length, Math.floor(i))));
      s.cursor = { anchor: at(cursor.anchor), head: at(cursor.head) };
    } else if (cursor !== undefined && cursor !== null) {
      // a cursor the live room could not read (y-codemirror would throw on it): left out
      delete s.cursor;
    }
    return JSON.stringify(s);
  }

  /** Stops relaying; the simulated states in the live room are taken out of it (the room still open, so windows drop them now). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.o.live.off('update', this.onLive);
    const held = [...this.relayed].filter((c) => this.o.live.getStates().has(c));
    if (held.length > 0) awarenessProtocol.removeAwarenessStates(this.o.live, held, 'bridge closed');
    this.relayed.clear();
  }
}
