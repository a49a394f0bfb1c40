/**
 * Gossip dissemination: rumour spreading (push, pull, push-pull; infect-forever / infect-and-die;
 * anti-entropy) and Plumtree epidemic broadcast trees, as sans-IO cores driven in the simulator and,
 * for Plumtree, by live peers over WebRTC.
 *
 * - `epidemic.ts`   push / pull / push-pull as one struct-of-arrays world protocol (10^6 peers)
 * - `rumours.ts`    its state: what each peer holds of each rumour; `targets.ts` whom a peer contacts
 * - `plumtree.ts`   the per-peer Plumtree core (PeerProtocol form) with pluggable anti-entropy
 * - `codec.ts`      its wire format (bounded; throws GossipDecodeError on malformed bytes)
 * - `plumtree-sim.ts` runs the core on every peer of a World over a partial-view membership
 * - `overlay.ts`    random symmetric partial views (CSR)
 * - `driver.ts`     the ProtocolDriver (`protocol.type: gossip`); `params.ts` its scenario keys
 *
 * ## Using the Plumtree core from a live peer
 *
 * Peer ids are numbers (`PeerId` of src/sim): a live peer maps its string ids to small integers
 * (one number per remote peer it knows, its own id included) and back. Message ids are
 * (origin, session, seq) where `session` is a random u32 per core instance, so a restarted peer does
 * not reuse ids.
 *
 * ```ts
 * import { plumtreeFactory, type PlumtreeMsg } from '../protocols/gossip/index.js';
 *
 * const ctx: PeerContext<PlumtreeMsg> = ...;   // real time: now(), setTimer, send(to, msg, bytes)
 * const core = plumtreeFactory.create(ctx, (payload) => Y.applyUpdate(doc, payload), {
 *   antiEntropyMs: 5000,
 *   antiEntropy: {                              // Yjs state vectors instead of message ids
 *     digest: () => Y.encodeStateVector(doc),
 *     onDigest: (_from, sv) => [Y.encodeStateAsUpdate(doc, sv)],
 *   },
 * });
 * core.start();
 * link.onOpen(() => core.neighborUp(remote));
 * link.onClose(() => core.neighborDown(remote));
 * // outgoing: ctx.send(to, msg) -> channel(to).send(plumtreeFactory.codec.encode(msg))
 * // incoming: try { core.onMessage(from, plumtreeFactory.codec.decode(bytes)) }
 * //           catch (e) { if (e instanceof GossipDecodeError) closeLink(from) }
 * doc.on('update', (u, origin) => { if (origin !== 'remote') core.broadcast(u) });
 * ```
 *
 * `onDeliver(payload, info)` is called once per new broadcast (duplicates suppressed by id, within
 * `seenCapacity`); REPAIR payloads from a custom anti-entropy hook are delivered as they come (Yjs
 * applies updates idempotently). `core.stop()` cancels its timers.
 */
export * from './codec.js';
export * from './params.js';
export * from './plumtree.js';
export { Epidemic, type EpidemicConfig, type EpidemicVariant, type EpidemicStats } from './epidemic.js';
export { randomOverlay, overlayLinks, type Overlay } from './overlay.js';
