/** PING: proves liveness; the reply carries our id so the caller can refresh its routing table. */
import { PONG, type PingMessage, type PongMessage } from '../messages.js';
import type { HandlerContext } from './context.js';

export function onPing(h: HandlerContext, msg: PingMessage): PongMessage {
  return { type: PONG, rpc: msg.rpc, sender: h.self };
}
