/**
 * The sim timeline's keyframes: as a run plays forward, its state is copied every so often (src/lab/
 * keyframes.ts), so that seeking back restores the nearest copy at or before the target and replays
 * only from there. How often is a matter of cost: a copy is taken once the simulation has computed
 * `costRatio` times as long as the last copy took (and at least `minSpacingMs` of compute), so copies
 * cost at most ~1/costRatio of the run's time, and a seek back replays at most about that much compute.
 * Copies only extend the frontier (none is taken behind the latest), and their total size is held
 * under a memory budget by dropping every other one (then they are spaced twice as far).
 */
import { SessionKeyframes, SnapshotError, type Keyframe } from '../../lab/keyframes.js';
import type { Session } from '../../lab/session.js';

export interface KeyframePolicy {
  /** Compute between keyframes at least (wall ms). Default 150. */
  minSpacingMs?: number;
  /** Compute between keyframes at least this many times the last keyframe's cost. Default 3. */
  costRatio?: number;
  /** Bytes all keyframes of a run may hold (estimated). Default 512 MiB. */
  budgetBytes?: number;
}

export class KeyframeStore {
  readonly list: Keyframe[] = [];
  /** Why keyframes are off for this run (too big, a closure that cannot be copied), or null. */
  disabled: string | null = null;
  private taker: SessionKeyframes | null = null;
  private computeSince = 0;
  private lastCostMs = 0;
  private bytes = 0;
  private spacingFactor = 1;
  private readonly minSpacingMs: number;
  private readonly costRatio: number;
  private readonly budgetBytes: number;
  /** Keyframes taken and their total cost (for the bench). */
  readonly stats = { taken: 0, captureMs: 0, restored: 0, restoreMs: 0 };

  constructor(policy: KeyframePolicy = {}) {
    this.minSpacingMs = policy.minSpacingMs ?? 150;
    this.costRatio = policy.costRatio ?? 3;
    this.budgetBytes = policy.budgetBytes ?? 512 * 1024 * 1024;
  }

  /** Starts following `session` (fresh, at time 0): its census is taken now. */
  follow(session: Session): void {
    if (this.disabled) return;
    try {
      this.taker = new SessionKeyframes(session);
    } catch (err) {
      this.off(err);
    }
  }

  /** After `ms` of compute on the followed session: takes a keyframe if one is due. */
  afterCompute(session: Session, ms: number): void {
    if (!this.taker || this.disabled) return;
    this.computeSince += ms;
    const due = Math.max(this.minSpacingMs, this.costRatio * this.lastCostMs) * this.spacingFactor;
    if (this.computeSince < due || session.isDone()) return;
    const last = this.list[this.list.length - 1];
    if (last && session.sim.now <= last.timeMs) return; // behind the frontier: covered already
    const t0 = performance.now();
    let kf: Keyframe;
    try {
      kf = this.taker.take();
    } catch (err) {
      this.off(err);
      return;
    }
    const cost = performance.now() - t0;
    this.stats.taken++;
    this.stats.captureMs += cost;
    this.lastCostMs = cost;
    this.computeSince = 0;
    this.list.push(kf);
    this.bytes += kf.bytes;
    while (this.bytes > this.budgetBytes && this.list.length > 1) this.thin();
  }

  /** The latest keyframe at or before `timeMs`, or null. */
  nearest(timeMs: number): Keyframe | null {
    let best: Keyframe | null = null;
    for (const k of this.list) if (k.timeMs <= timeMs) best = k;
    return best;
  }

  /** `fresh` (built, not run) takes `kf`'s state and becomes the followed session. */
  restoreInto(kf: Keyframe, fresh: Session): Session {
    const t0 = performance.now();
    this.taker = null;
    try {
      this.taker = new SessionKeyframes(fresh); // census of its time-0 graph, before it is overwritten
    } catch (err) {
      this.off(err);
    }
    SessionKeyframes.restore(kf, fresh);
    this.computeSince = 0;
    this.stats.restored++;
    this.stats.restoreMs += performance.now() - t0;
    return fresh;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  private thin(): void {
    const keep: Keyframe[] = [];
    this.list.forEach((k, i) => {
      if (i % 2 === 1 || i === this.list.length - 1) keep.push(k);
    });
    this.list.length = 0;
    this.list.push(...keep);
    this.bytes = keep.reduce((a, k) => a + k.bytes, 0);
    this.spacingFactor *= 2;
  }

  private off(err: unknown): void {
    if (!(err instanceof SnapshotError)) throw err;
    this.disabled = err.message;
    this.taker = null;
    this.list.length = 0;
    this.bytes = 0;
  }
}
