/** Named errors of the sync peer: a peer's bad bytes (`SyncWireError`) and a bad configuration. */
import { ConfigError } from '../../core/index.js';

/** A frame, payload or signaling message from a peer is malformed or out of bounds. Closes that one link. */
export class SyncWireError extends Error {
  override name = 'SyncWireError';
}

/** An option of the sync peer (or a `sync` scenario key) is out of range; names the key. */
export class SyncConfigError extends ConfigError {
  override name = 'SyncConfigError';
}
