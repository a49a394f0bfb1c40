/**
 * RealTimePacer: runs a simulation's virtual clock in step with the wall clock, so simulated peers can
 * take part in a live room. Virtual time t is wall time `origin + t`; the pacer sleeps until the next
 * event is due (at most `idleMs`), then runs every event up to the wall clock's now, in slices of at
 * most `sliceMs` of wall time so the thread keeps serving its sockets (a bridge peer's WebRTC links)
 * even when the simulation cannot keep up (it then runs late, and says how late: `stats`).
 *
 * The engine itself stays clock-free (src/sim touches no timer); this module is its real-time driver.
 * Something arriving from the real world (a live peer's update reaching the bridge) calls `catchUp()`
 * first, so it enters the simulation at the virtual time of its arrival, not at the last slice's.
 */

/** The part of the engine's Simulator the pacer drives. */
export interface PacedSim {
  readonly now: number;
  runUntil(until: number, maxEvents?: number): number;
  nextTime(): number;
}

export interface PacerOptions {
  /** Longest sleep between two checks of the clock (ms). Default 50. */
  idleMs?: number;
  /** Wall ms one slice runs events at most before yielding to I/O. Default 4. */
  sliceMs?: number;
  /** The wall clock (ms). Default performance.now. */
  clock?: () => number;
  /** A handler threw: the pacer has stopped. */
  onError?: (e: unknown) => void;
}

export interface PacerStats {
  /** Slices run and events processed. */
  slices: number;
  events: number;
  /** Wall ms spent running events (the simulation's share of this thread). */
  busyMs: number;
  /** How late the first due event of a slice ran, ms (the pacer's own delay plus any backlog): newest samples. */
  lateMs: number[];
  /** The largest such lateness seen. */
  maxLateMs: number;
  /** Slices that stopped at the event cap with events still due (the simulation fell behind the wall clock). */
  behind: number;
}

const LATE_SAMPLES = 4096;
/** Events between two looks at the clock within a slice. */
const CHUNK = 64;

export class RealTimePacer {
  private origin = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private inSlice = false;
  private stopped = true;
  private lateAt = 0;
  readonly stats: PacerStats = { slices: 0, events: 0, busyMs: 0, lateMs: [], maxLateMs: 0, behind: 0 };
  private readonly idleMs: number;
  private readonly sliceMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly sim: PacedSim,
    private readonly opts: PacerOptions = {},
  ) {
    this.idleMs = opts.idleMs ?? 50;
    this.sliceMs = opts.sliceMs ?? 4;
    this.clock = opts.clock ?? (() => performance.now());
    if (!(this.idleMs > 0)) throw new RangeError(`RealTimePacer: idleMs must be > 0, got ${this.idleMs}`);
    if (!(this.sliceMs > 0)) throw new RangeError(`RealTimePacer: sliceMs must be > 0, got ${this.sliceMs}`);
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** Starts (or resumes) pacing: the simulation's current time is now. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.origin = this.clock() - this.sim.now;
    this.arm(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /** The virtual time the wall clock says it is. */
  target(): number {
    return this.clock() - this.origin;
  }

  /**
   * Runs the simulation up to the wall clock's now (bounded like a slice). Call it before handing the
   * simulation something from the real world. False (and nothing run) from inside a slice, where the
   * simulation is already at the time being handled, or when stopped.
   */
  catchUp(): boolean {
    if (this.inSlice || this.stopped) return false;
    this.slice();
    return true;
  }

  private arm(delayMs: number): void {
    if (this.stopped || this.timer !== null || this.immediate !== null) return;
    if (delayMs <= 0 && typeof setImmediate === 'function') {
      // behind the clock: after pending I/O, without setTimeout's extra millisecond
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.tick();
      });
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, delayMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private tick(): void {
    if (this.stopped) return;
    const caughtUp = this.slice();
    if (this.stopped) return;
    // behind: yield to I/O and go on at once; otherwise sleep until the next event is due
    const next = this.sim.nextTime() - this.target();
    this.arm(caughtUp ? Math.max(0, Math.min(this.idleMs, Math.ceil(next))) : 0);
  }

  /** One slice up to the wall clock's now; true if every due event ran. */
  private slice(): boolean {
    const sim = this.sim;
    const target = this.target();
    const first = sim.nextTime();
    if (first <= target) this.late(target - first);
    if (!(target > sim.now) && !(first <= target)) return true;
    this.inSlice = true;
    const t0 = this.clock();
    let n = 0;
    try {
      do n += sim.runUntil(Math.max(target, sim.now), CHUNK);
      while (sim.nextTime() <= target && this.clock() - t0 < this.sliceMs);
    } catch (e) {
      this.stop();
      this.opts.onError?.(e);
      return true;
    } finally {
      this.inSlice = false;
      const st = this.stats;
      st.busyMs += this.clock() - t0;
      st.slices++;
      st.events += n;
    }
    const caughtUp = !(sim.nextTime() <= target);
    if (!caughtUp) this.stats.behind++;
    return caughtUp;
  }

  private late(ms: number): void {
    const st = this.stats;
    if (st.lateMs.length < LATE_SAMPLES) st.lateMs.push(ms);
    else {
      st.lateMs[this.lateAt] = ms;
      this.lateAt = (this.lateAt + 1) % LATE_SAMPLES;
    }
    if (ms > st.maxLateMs) st.maxLateMs = ms;
  }
}
