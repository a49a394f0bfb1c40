/**
 * Puts a KademliaNode on a byte transport: every message is encoded with the codec on the way out
 * and decoded on the way in. A message that does not decode is dropped (and reported through
 * `onMalformed`): a peer's protocol violation never throws into the caller or reaches the node.
 * The simulator uses it with `wire: true` to run the real codec end to end; the live network would
 * put the same bytes on a data channel.
 */
import { ForwardingContext, type PeerContext, type PeerId, type PeerProtocol } from '../../core/index.js';
import { KademliaCodecError, type Codec } from './rpc/codec.js';
import type { KadMessage } from './rpc/messages.js';

/** Wraps a byte-level context so a node can send message objects through it. */
export function encodingContext(ctx: PeerContext<Uint8Array>, codec: Codec): PeerContext<KadMessage> {
  return new EncodingContext(ctx, codec);
}

/** Encodes each message on its way out; everything else is the byte context's. */
class EncodingContext extends ForwardingContext<KadMessage, Uint8Array> {
  constructor(
    inner: PeerContext<Uint8Array>,
    private readonly codec: Codec,
  ) {
    super(inner);
  }
  send(to: PeerId, msg: KadMessage): void {
    const bytes = this.codec.encode(msg);
    this.inner.send(to, bytes, bytes.length);
  }
}

/** Wraps a node so it takes bytes: decodes each, drops what is malformed. */
export class WireProtocol<P extends PeerProtocol<KadMessage>> implements PeerProtocol<Uint8Array> {
  malformed = 0;
  constructor(
    readonly inner: P,
    private readonly codec: Codec,
    private readonly onMalformed?: (from: PeerId, err: KademliaCodecError) => void,
  ) {}
  start(): void {
    this.inner.start?.();
  }
  stop(): void {
    this.inner.stop?.();
  }
  onMessage(from: PeerId, bytes: Uint8Array): void {
    let msg: KadMessage;
    try {
      msg = this.codec.decode(bytes);
    } catch (e) {
      if (!(e instanceof KademliaCodecError)) throw e;
      this.malformed++;
      this.onMalformed?.(from, e);
      return;
    }
    this.inner.onMessage(from, msg);
  }
  onTimer(tag: number, data: unknown): void {
    this.inner.onTimer(tag, data);
  }
}
