/** What the RPC handlers may read and change: our id, routing table and value store. */
import type { NodeId } from '../../id.js';
import type { RoutingTable } from '../../routing-table/index.js';
import type { ValueStore } from '../../storage.js';

export interface HandlerContext {
  readonly self: NodeId;
  readonly k: number;
  readonly table: RoutingTable;
  readonly store: ValueStore;
  /** Longest time a STORE may ask us to keep a value. */
  readonly maxTtlMs: number;
  now(): number;
}
