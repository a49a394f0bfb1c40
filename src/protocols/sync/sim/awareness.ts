/**
 * Awareness (who is here, where their cursor is) for simulated peers. y-protocols' Awareness runs a
 * wall-clock interval of its own, so simulated peers keep this stand-in instead: the same update
 * encoding (varUint count, then per client varUint clientID | varUint clock | varString JSON state) and
 * the same rule (a client's state replaces the one held only if its clock is newer).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export class SimAwareness {
  /** clientID -> clock of the newest state held. */
  private readonly clocks = new Map<number, number>();
  private readonly states = new Map<number, string>();

  /** The local client's new state; returns the update to spread. */
  setLocal(client: number, state: unknown): Uint8Array {
    const clock = (this.clocks.get(client) ?? 0) + 1;
    const json = JSON.stringify(state);
    this.clocks.set(client, clock);
    this.states.set(client, json);
    return encodeUpdate([[client, clock, json]]);
  }

  /** Applies an update; returns the part that was news here (to pass on, as y-webrtc does), or null. */
  apply(update: Uint8Array): Uint8Array | null {
    const d = decoding.createDecoder(update);
    const n = decoding.readVarUint(d);
    const fresh: [number, number, string][] = [];
    for (let i = 0; i < n; i++) {
      const client = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      const json = decoding.readVarString(d);
      if (clock > (this.clocks.get(client) ?? 0)) {
        this.clocks.set(client, clock);
        this.states.set(client, json);
        fresh.push([client, clock, json]);
      }
    }
    return fresh.length > 0 ? encodeUpdate(fresh) : null;
  }

  /** Every state held (what y-webrtc sends on a new connection). */
  all(): Uint8Array | null {
    if (this.clocks.size === 0) return null;
    return encodeUpdate([...this.clocks].map(([c, k]) => [c, k, this.states.get(c) ?? 'null']));
  }

  get size(): number {
    return this.clocks.size;
  }
}

function encodeUpdate(states: [number, number, string][]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, states.length);
  for (const [c, k, json] of states) {
    encoding.writeVarUint(e, c);
    encoding.writeVarUint(e, k);
    encoding.writeVarString(e, json);
  }
  return encoding.toUint8Array(e);
}
