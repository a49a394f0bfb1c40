/**
 * STORE: keep the value for the requested time, capped at our own maximum (a peer cannot pin data
 * here forever), in a bounded store. A copy cached along a lookup path is an ordinary STORE with a
 * short time to live (the wire does not tell them apart).
 */
import { STORE_ACK, type StoreAckMessage, type StoreMessage } from '../messages.js';
import type { HandlerContext } from './context.js';

export function onStore(h: HandlerContext, msg: StoreMessage): StoreAckMessage {
  const ttl = Math.min(msg.ttlMs, h.maxTtlMs);
  const stored = ttl > 0 && h.store.put(msg.key, msg.value, ttl, h.now(), 'replica');
  return { type: STORE_ACK, rpc: msg.rpc, sender: h.self, stored };
}
