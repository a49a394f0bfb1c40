/** FIND_VALUE: the value if we hold it, else the k closest contacts we know (like FIND_NODE). */
import type { PeerId } from '../../../../core/index.js';
import { NODES, VALUE, type FindValueMessage, type NodesMessage, type ValueMessage } from '../messages.js';
import type { HandlerContext } from './context.js';

export function onFindValue(h: HandlerContext, from: PeerId, msg: FindValueMessage): ValueMessage | NodesMessage {
  const held = h.store.get(msg.key, h.now());
  if (held) return { type: VALUE, rpc: msg.rpc, sender: h.self, key: msg.key, value: held.value };
  return { type: NODES, rpc: msg.rpc, sender: h.self, contacts: h.table.closest(msg.key, h.k, from) };
}
