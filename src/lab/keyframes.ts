/**
 * Keyframes of a session: its whole state copied at a virtual time, restored later into a freshly
 * built session of the same scenario and seed, which then goes on exactly as the original did (the
 * engine's snapshot, src/sim/snapshot.ts, says how and what it asks of protocol code). The dashboard's
 * sim timeline takes them as a run plays, so seeking back restores the nearest one and replays only
 * from there instead of from time 0.
 */
import { Census, capture, markImmutable, restore, type Keyframe } from '../sim/snapshot.js';
import type { Session } from './session.js';

export type { Keyframe } from '../sim/snapshot.js';
export { SnapshotError } from '../sim/snapshot.js';

/** Objects a session may hold at time 0 for keyframes to be taken (the census walk costs ~1 µs each). */
export const MAX_CENSUS_OBJECTS = 3_000_000;

export class SessionKeyframes {
  private readonly census: Census;

  /**
   * Indexes `session`'s time-0 graph; call right after createSession, before it advances. Throws
   * SnapshotError if the run is too big to take keyframes of.
   */
  constructor(
    private readonly session: Session,
    maxObjects = MAX_CENSUS_OBJECTS,
  ) {
    if (session.sim.now !== 0 || session.sim.eventsProcessed !== 0) throw new Error('SessionKeyframes: the session has already run');
    markImmutable(session.scenario);
    this.census = Census.take(session, maxObjects);
  }

  /** The session's state now. Throws SnapshotError (naming the path) if some of it cannot be copied. */
  take(): Keyframe {
    return capture(this.session, this.census, this.session.sim.now);
  }

  /** `fresh` (a new session of the same scenario and seed, not yet run) takes the state of `kf`. */
  static restore(kf: Keyframe, fresh: Session): Session {
    markImmutable(fresh.scenario);
    restore(kf, fresh);
    return fresh;
  }
}
