/**
 * The `live.record.*` commands: one recording of the room at a time, fed by its own wall-clock timer
 * that asks the network for every peer's report and captures a frame (live-recording.ts). Each frame
 * taken is announced (event `live.record`), so every window shows how much is held.
 */
import { CommandError } from '../router.js';
import type { LiveInfoData, LivePeerData } from './group.js';
import { LiveRecording, type LiveRecordingOptions } from './live-recording.js';

export interface LiveSource {
  info(): LiveInfoData;
  peers(): Promise<LivePeerData[]>;
}

export class LiveRecorder {
  private rec: LiveRecording | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The frame being taken (its report asked for), if any. */
  private taking: Promise<void> | null = null;

  constructor(
    private readonly source: LiveSource,
    private readonly emit: (event: string, data: unknown) => void,
    private readonly defaults: Omit<LiveRecordingOptions, 'everyMs' | 'maxPeers'> = {},
  ) {}

  state(): ReturnType<LiveRecording['view']> | null {
    return this.rec ? this.rec.view() : null;
  }

  /** Starts a new recording (one that was running is stopped and replaced) and takes its first frame. */
  async start(opts: { everyMs?: number; maxPeers?: number }): Promise<ReturnType<LiveRecording['view']>> {
    this.halt('closed');
    const rec = new LiveRecording(this.source.info(), { ...this.defaults, ...opts });
    this.rec = rec;
    while (this.taking) await this.taking;
    await this.frame(rec);
    this.timer = setInterval(() => void this.frame(rec), rec.everyMs);
    this.timer.unref?.();
    this.emit('live.record', rec.view());
    return rec.view();
  }

  /**
   * Stops the recording. Its last frame is the room as it is at the stop (a frame being taken finishes
   * first, then one more is taken): frames come a period apart and a slow report skips one, so without it
   * the recording could end seconds before what the windows showed when Stop was pressed.
   */
  async stop(): Promise<ReturnType<LiveRecording['view']>> {
    const rec = this.rec;
    if (!rec) throw new CommandError('the room is not being recorded (live.record.start first)');
    if (rec.active) {
      this.stopTimer();
      while (this.taking) await this.taking;
      if (rec === this.rec) await this.frame(rec);
    }
    if (rec !== this.rec) return rec.view();
    this.halt('stopped');
    const v = this.rec.view();
    this.emit('live.record', v);
    return v;
  }

  save(): { name: string; text: string; frames: number } {
    if (!this.rec) throw new CommandError('nothing was recorded (live.record.start first)');
    const saved = this.rec.save();
    if (!saved) throw new CommandError('the recording has no frames yet');
    return saved;
  }

  close(): void {
    this.halt('closed');
  }

  private halt(reason: 'stopped' | 'closed'): void {
    this.stopTimer();
    this.rec?.stop(reason);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private frame(rec: LiveRecording): Promise<void> {
    // a slow report (a peer process busy) skips a frame rather than queueing captures
    if (this.taking || !rec.active) return Promise.resolve();
    const taking = this.take(rec).finally(() => {
      if (this.taking === taking) this.taking = null;
    });
    this.taking = taking;
    return taking;
  }

  private async take(rec: LiveRecording): Promise<void> {
    try {
      const peers = await this.source.peers();
      if (rec !== this.rec) return;
      if (!rec.capture(peers)) this.halt('stopped');
      // every window's record bar follows the frames as they are taken, at most one event a frame
      this.emit('live.record', rec.view());
    } catch {
      // the network's report failed this once: the next tick tries again
    }
  }
}
