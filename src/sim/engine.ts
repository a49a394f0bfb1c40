/**
 * The discrete-event engine: a virtual clock and a queue of pending events. An event is a handler
 * index plus (target, arg, obj); handlers are registered once, so scheduling allocates nothing and
 * dispatch is an array lookup.
 *
 * The run loop can run until a virtual time, run N events, or step one; `pause()` from inside a
 * handler (or from a UI between slices) stops it after the current event.
 */
import { EventFeed } from './feed.js';
import { EventQueue, type EventHandle } from './queue.js';
import { Rng } from '../core/rng.js';

/** Called when an event fires: target (usually a peer), a numeric argument and an optional object. */
export type Handler = (target: number, arg: number, obj: unknown) => void;

export interface SimulatorOptions {
  /** Seed of the root random generator. Same seed, same run. */
  seed: number;
  /** Initial capacity of the event queue (grows as needed). Default 1024. */
  queueCapacity?: number;
}

function badDelay(delay: number): RangeError {
  return new RangeError(`Simulator.schedule: delay must be a finite number >= 0, got ${delay}`);
}

export class Simulator {
  /** Current virtual time in milliseconds. */
  now = 0;
  readonly rng: Rng;
  readonly seed: number;
  readonly feed = new EventFeed();
  /** Events executed so far. */
  eventsProcessed = 0;

  private readonly queue: EventQueue;
  private readonly handlers: Handler[] = [];
  private pausedFlag = false;
  private running = false;
  /** State objects of closures made at construction (see `keep`). */
  private readonly kept: object[] = [];

  constructor(opts: SimulatorOptions) {
    this.seed = opts.seed;
    this.rng = new Rng(opts.seed);
    this.queue = new EventQueue(opts.queueCapacity ?? 1024);
  }

  /**
   * Holds `state` for the run's lifetime and returns it. Mutable state used by closures made at
   * construction (an install function's counters, a driver's tallies) belongs in such an object
   * rather than in captured `let`s, so that keyframes (src/sim/snapshot.ts) reach it.
   */
  keep<T extends object>(state: T): T {
    this.kept.push(state);
    return state;
  }

  /** Registers a handler and returns its index for `schedule`. */
  register(handler: Handler): number {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Schedules handler `kind` to run `delay` ms from now (finite, >= 0). */
  schedule(delay: number, kind: number, target = 0, arg = 0, obj?: unknown): EventHandle {
    // the error is built elsewhere: a small schedule() is one V8 inlines into handlers
    if (!(delay >= 0 && delay !== Infinity)) throw badDelay(delay);
    return this.queue.push(this.now + delay, kind, target, arg, obj);
  }

  /** Schedules handler `kind` at absolute virtual time `time` (finite, >= now). */
  at(time: number, kind: number, target = 0, arg = 0, obj?: unknown): EventHandle {
    if (!(time >= this.now && time !== Infinity))
      throw new RangeError(`Simulator.at: time must be finite and not before now (${this.now}), got ${time}`);
    return this.queue.push(time, kind, target, arg, obj);
  }

  /** Cancels a scheduled event; false if it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    return this.queue.cancel(handle);
  }

  /** Events scheduled and not yet run. */
  get pending(): number {
    return this.queue.size;
  }

  /** Virtual time of the next event, or Infinity when idle. */
  nextTime(): number {
    return this.queue.peekTime();
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** Stops the run loop after the current event. */
  pause(): void {
    this.pausedFlag = true;
  }

  /**
   * Runs events with time <= `until` (and at most `maxEvents` of them). Returns the number run.
   * Unless stopped early, the clock ends at `until` (if finite), so a caller can advance time in slices.
   */
  runUntil(until: number, maxEvents = Infinity): number {
    if (this.running) throw new Error('Simulator.runUntil: already running (called from inside a handler?)');
    if (Number.isNaN(until)) throw new RangeError('Simulator.runUntil: until is NaN');
    this.pausedFlag = false;
    this.running = true;
    const q = this.queue;
    const handlers = this.handlers;
    let count = 0;
    try {
      while (count < maxEvents) {
        if (!q.popUntil(until)) break;
        this.now = q.lastTime;
        count++;
        handlers[q.lastKind]!(q.lastTarget, q.lastArg, q.lastObj);
        if (this.pausedFlag) break;
      }
    } finally {
      // also when a handler throws: the count and clock stay true to what ran
      this.running = false;
      this.eventsProcessed += count;
    }
    if (!this.pausedFlag && count < maxEvents && until !== Infinity && this.now < until) this.now = until;
    return count;
  }

  /** Runs at most n events. */
  run(n: number): number {
    return this.runUntil(Infinity, n);
  }

  /** Runs exactly one event if there is one. */
  step(): boolean {
    return this.runUntil(Infinity, 1) === 1;
  }

  /** Runs until the queue is empty or paused. */
  runAll(): number {
    return this.runUntil(Infinity);
  }
}
