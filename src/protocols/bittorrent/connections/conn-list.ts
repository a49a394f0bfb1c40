import type { PeerId } from '../../../core/index.js';
import type { Conn } from './conn.js';


/**
 * A peer's connections by remote id, in the order they were made: what a Map gave, at under half
 * its memory (a Map's hash table cost ~50 bytes per entry); scanning ~40 small integers is as quick
 * as hashing. `values()` is the live list: iterate a copy if the loop may close connections.
 */
export class ConnList {
  private readonly keys: PeerId[] = [];
  private readonly list: Conn[] = [];
  get size(): number {
    return this.list.length;
  }
  private find(remote: PeerId): number {
    const k = this.keys;
    for (let i = 0; i < k.length; i++) if (k[i] === remote) return i;
    return -1;
  }
  get(remote: PeerId): Conn | undefined {
    const i = this.find(remote);
    return i < 0 ? undefined : this.list[i];
  }
  has(remote: PeerId): boolean {
    return this.find(remote) >= 0;
  }
  set(remote: PeerId, c: Conn): void {
    const i = this.find(remote);
    if (i >= 0) this.list[i] = c;
    else {
      this.keys.push(remote);
      this.list.push(c);
    }
  }
  delete(remote: PeerId): boolean {
    const i = this.find(remote);
    if (i < 0) return false;
    this.keys.splice(i, 1);
    this.list.splice(i, 1);
    return true;
  }
  values(): readonly Conn[] {
    return this.list;
  }
  entries(): [PeerId, Conn][] {
    return this.list.map((c, i) => [this.keys[i] as PeerId, c]);
  }
}
