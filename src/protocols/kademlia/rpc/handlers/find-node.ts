/** FIND_NODE: the k closest contacts we know to the target (never the requester itself). */
import type { PeerId } from '../../../../core/index.js';
import { NODES, type FindNodeMessage, type NodesMessage } from '../messages.js';
import type { HandlerContext } from './context.js';

export function onFindNode(h: HandlerContext, from: PeerId, msg: FindNodeMessage): NodesMessage {
  return { type: NODES, rpc: msg.rpc, sender: h.self, contacts: h.table.closest(msg.target, h.k, from) };
}
