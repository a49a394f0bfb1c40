/**
 * The WebSocket that y-webrtc uses in a Node peer (it takes the global one): the `ws` package with its
 * `onmessage` handler fenced. Stock y-webrtc's signaling handler throws on a forged or late `answer` (it
 * reads `webrtcConns.get(from).glareToken` without checking the connection exists); thrown inside `ws`'s
 * receive loop that would stall the socket, and uncaught it would end the process. Fenced, the message is
 * dropped and reported, and the socket reads on (the browser already isolates handler errors like this).
 */
import WebSocket from 'ws';

export function guardedWebSocket(onError: (e: unknown) => void): typeof WebSocket {
  class GuardedWebSocket extends WebSocket {}
  const base = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  if (!base?.set || !base.get) return WebSocket; // not the ws we know: leave it alone
  const { get, set } = base;
  Object.defineProperty(GuardedWebSocket.prototype, 'onmessage', {
    enumerable: true,
    get(this: WebSocket) {
      return get.call(this) as unknown;
    },
    set(this: WebSocket, handler: unknown) {
      if (typeof handler !== 'function') return set.call(this, handler);
      set.call(this, (ev: unknown) => {
        try {
          (handler as (ev: unknown) => void).call(this, ev);
        } catch (e) {
          onError(e);
        }
      });
    },
  });
  return GuardedWebSocket;
}
