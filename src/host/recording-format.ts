/**
 * The recording file format (JSON lines), its schemas and its bounds; see recording.ts for what a
 * recording is and docs/dashboard.md for the format. A recording may come from anyone, so every value
 * and every line is bounded, not only the file.
 */
import { z } from 'zod';
import { countersData, peerView } from './lab-group.js';

/** Longest line a recording may hold: a frame (a keyframe of 20,000 peers and their links fits). */
export const MAX_FRAME_LINE_CHARS = 16 * 1024 * 1024;
/** Longest header or end line (the end record holds the run's series). */
export const MAX_RECORD_LINE_CHARS = 32 * 1024 * 1024;
/** Longest string value in a frame's counters, and longest key of a summary or series. */
export const MAX_VALUE_CHARS = 1024;
const MAX_KEY_CHARS = 200;
const MAX_SUMMARY_KEYS = 200;
const MAX_SERIES = 200;

export const RECORDING_FORMAT = 'peerlab-recording';
/** The version written. Version 1 (links without kinds, no live header) is still read. */
export const RECORDING_VERSION = 2;
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** A peer id as recordings hold it: below 2^24, the most peers a scenario may have. */
const peerIdOf = z.number().int().min(0).max(2 ** 24 - 1);
/** `[a, b]` or `[a, b, kind]` (kind indexes the observation's link kinds; absent = 0). */
const link = z.union([z.tuple([peerIdOf, peerIdOf]), z.tuple([peerIdOf, peerIdOf, z.number().int().min(0).max(255)])]);
const finite = z.number().finite();

export const recordingHeader = z.strictObject({
  format: z.literal(RECORDING_FORMAT),
  version: z.union([z.literal(1), z.literal(2)]),
  /** ISO time the recording started (wall clock; informational only). */
  createdAt: z.string().max(64),
  scenario: z.strictObject({
    name: z.string().max(500),
    protocol: z.string().max(200),
    /** Peers in the run (a snapshot draws at most `maxPeers` of them). */
    peers: z.number().int().min(0),
    /** Where it was loaded from (a file path, or `<dashboard>`). */
    source: z.string().max(4096),
    /** The scenario text as loaded: with `seed`, enough to simulate the same run again. */
    text: z.string().max(512 * 1024),
  }),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  untilMs: finite.min(0),
  untilComplete: z.boolean(),
  /** Virtual ms between frames. */
  everyMs: finite.positive(),
  maxPeers: z.number().int().min(1).max(20_000),
  keyframeEvery: z.number().int().min(1).max(10_000),
  /**
   * Present when the recording is of the live network (not a simulation): the room, its sync mode and
   * documents. `scenario` then names the room (protocol 'live', no text: it cannot be simulated again),
   * `seed` is 0 and times are wall-clock ms since recording started.
   */
  live: z
    .strictObject({
      room: z.string().max(200),
      mode: z.string().max(32),
      docs: z.array(z.string().max(128)).max(32),
    })
    .optional(),
});
export type RecordingHeader = z.infer<typeof recordingHeader>;

export const keySnapshot = z.strictObject({ peers: z.array(peerView).max(20_000), links: z.array(link).max(1_000_000) });
export const deltaSnapshot = z.strictObject({
  /** Peers added or changed since the previous frame (whole). */
  peers: z.array(peerView).max(20_000),
  /** Peers no longer drawn. */
  gone: z.array(z.number().int().min(0)).max(20_000),
  linksAdded: z.array(link).max(1_000_000),
  linksGone: z.array(link).max(1_000_000),
});
/**
 * Counters as a recording holds them: the live event's schema, with every value bounded too (a 60 MB
 * string in one frame was accepted and sent to every client at each publish).
 */
const recordedCounters = countersData.extend({
  summary: z
    .record(z.string().max(MAX_KEY_CHARS), z.union([finite, z.string().max(MAX_VALUE_CHARS), z.boolean(), z.null()]))
    .refine((r) => Object.keys(r).length <= MAX_SUMMARY_KEYS, `at most ${MAX_SUMMARY_KEYS} summary keys`),
});
export const keyFrame = z.strictObject({ type: z.literal('frame'), i: z.number().int().min(0), timeMs: finite.min(0), counters: recordedCounters, key: keySnapshot });
export const deltaFrame = z.strictObject({ type: z.literal('frame'), i: z.number().int().min(0), timeMs: finite.min(0), counters: recordedCounters, delta: deltaSnapshot });
export const recordingFrame = z.union([keyFrame, deltaFrame]);
export type RecordingFrame = z.infer<typeof recordingFrame>;

const seriesSchema = z.strictObject({ t: z.array(finite).max(1_000_000), v: z.array(finite).max(1_000_000) });
export const recordingEnd = z.strictObject({
  type: z.literal('end'),
  frames: z.number().int().min(0),
  /** Virtual time of the last frame. */
  timeMs: finite.min(0),
  /** Why recording stopped: the user, the run ended, a size limit, another run was loaded. */
  reason: z.enum(['stopped', 'done', 'full', 'closed']),
  done: z.boolean(),
  endReason: z.enum(['time', 'complete', 'idle']).nullable(),
  /** The run's series up to `timeMs` (driver's own and `net.*`); what was shown at t is each one's prefix up to t. */
  series: z.record(z.string().max(MAX_KEY_CHARS), seriesSchema).refine((r) => Object.keys(r).length <= MAX_SERIES, `at most ${MAX_SERIES} series`),
});
export type RecordingEnd = z.infer<typeof recordingEnd>;

/** A bad recording: `line` (1-based) and `path` say where, when known. */
export class RecordingError extends Error {
  override name = 'RecordingError';
  constructor(
    message: string,
    readonly line: number | null = null,
  ) {
    super(message);
  }
}

