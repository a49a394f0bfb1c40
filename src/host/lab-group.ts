/**
 * The lab's commands and events: load a scenario, play, pause, step, set the speed, reset, and the
 * stream of state, counters and snapshots the dashboard draws. Schemas only (zod), no behaviour: the
 * behaviour is `LabHost` in `lab-host.ts`.
 */
import { z } from 'zod';
import { command, defineGroup } from './contract.js';

const empty = z.strictObject({}).optional().default({});

/** Virtual ms advanced per wall-clock ms. 1 = real time. */
export const speed = z.number().min(0.01).max(100_000);

/** A recording being made, or finished and kept until replaced (the Lab's of its run, the live room's). */
export const recordingState = z.object({
  active: z.boolean(),
  frames: z.number().int().min(0),
  /** Characters of the file so far (before compression). */
  bytes: z.number().int().min(0),
  everyMs: z.number().positive(),
  fromMs: z.number().nullable(),
  toMs: z.number().nullable(),
  /** Why it stopped (null while active). */
  reason: z.enum(['stopped', 'done', 'full', 'closed']).nullable(),
});

export const labState = z.object({
  /** Scenario name, or null before anything is loaded. */
  scenario: z.string().nullable(),
  /** The bundled scenario's file name without extension (what lab.load { name } takes), if it is one. */
  bundled: z.string().nullable(),
  source: z.string().nullable(),
  protocol: z.string().nullable(),
  peers: z.number().int().min(0),
  seed: z.number(),
  running: z.boolean(),
  speed,
  timeMs: z.number(),
  untilMs: z.number(),
  /** True if the run stops once the workload completes (untilMs is then only a cap). */
  untilComplete: z.boolean(),
  done: z.boolean(),
  endReason: z.enum(['time', 'complete', 'idle']).nullable(),
  // mode, recording and replay are optional only so that older LabState producers still validate; LabHost always sends them.
  /** 'live': a simulation runs; 'replay': a recording is shown (no simulator), with the same controls. */
  mode: z.enum(['live', 'replay']).optional(),
  /** The recording being made (or finished and not yet replaced), or null. */
  recording: recordingState
    .extend({
      /** The run it records (it may differ from the loaded one once another is loaded). */
      scenario: z.string().optional(),
      seed: z.number().optional(),
    })
    .nullable()
    .optional(),
  /** The recording being replayed, or null in live mode. */
  replay: z.object({ name: z.string(), frames: z.number().int().min(0), fromMs: z.number(), toMs: z.number(), seed: z.number() }).nullable().optional(),
});
export type LabState = z.infer<typeof labState>;

export const peerView = z.object({
  id: z.number().int().min(0),
  alive: z.boolean(),
  state: z.string().max(64),
  value: z.number().optional(),
  /** Place on the network's map (unit square), when the latency model has one (geo). */
  x: z.number().optional(),
  y: z.number().optional(),
  /** A name to show beside the id (live peers: the peer's name). */
  label: z.string().max(64).optional(),
});
const peerIndex = z.number().int().min(0);
/** `[a, b]` or `[a, b, kind]`: kind indexes the protocol's link kinds (observation), absent = 0. */
export const snapshotLink = z.union([z.tuple([peerIndex, peerIndex]), z.tuple([peerIndex, peerIndex, z.number().int().min(0).max(255)])]);
export type SnapshotLinkData = z.infer<typeof snapshotLink>;

export const snapshotData = z.object({
  /** Changes when a different run is loaded (new scenario or seed): drawn positions no longer apply. */
  run: z.number().int().min(0),
  timeMs: z.number(),
  /** Peers in the whole run; `peers` may hold fewer (the first by id, capped). */
  totalPeers: z.number().int().min(0),
  peers: z.array(peerView),
  links: z.array(snapshotLink),
});
export type SnapshotData = z.infer<typeof snapshotData>;

// ---- the observation contract on the wire (src/protocols/observation.ts) -------------------------

export const unit = z.enum(['ms', 's', 'bytes', 'bytes/s', 'fraction', 'count', 'messages', 'messages/s', 'peers', 'hops', 'ratio', 'none']);
const text = (max: number) => z.string().max(max);
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour #rrggbb');
export const evaluatedSpec = z.object({
  key: text(200),
  label: text(200),
  unit,
  description: text(2000),
  better: z.enum(['higher', 'lower']).nullable(),
  /** What theory predicts for the loaded scenario (a reference line or figure), or null. */
  theory: z.object({ label: text(200), value: z.number() }).nullable(),
});
export const observationData = z.object({
  protocol: text(100),
  /** The summary's keys, in the order to show them. */
  metrics: z.array(evaluatedSpec).max(200),
  /** The protocol's series and the session's `net.*` ones. */
  series: z.array(evaluatedSpec).max(200),
  /** Peer states: legend name and colour (`offline` always among them). */
  states: z.array(z.object({ name: text(64), label: text(200), colour, description: text(2000) })).max(64),
  /** Link kinds, indexed by a snapshot link's third element (absent = 0); `rewiring` true: changes are rewiring. */
  linkKinds: z
    .array(z.object({ name: text(64), label: text(200), colour, dashed: z.boolean().optional(), description: text(2000), rewiring: z.boolean() }))
    .min(1)
    .max(16),
  events: z.array(z.object({ kind: text(64), label: text(200), description: text(2000) })).max(64),
  /** What a snapshot peer's `value` means (drawn as dot size), or null. */
  value: z.object({ label: text(200), unit, description: text(2000) }).nullable(),
});
export type ObservationDataWire = z.infer<typeof observationData>;

// ---- the peer inspector ---------------------------------------------------------------------------

const cell = z.union([z.string().max(200), z.number(), z.boolean(), z.null()]);
export const inspectSection = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('facts'),
    title: text(200),
    rows: z.array(z.object({ label: text(200), value: cell, unit: unit.optional() })).max(64),
  }),
  z.object({
    kind: z.literal('table'),
    title: text(200),
    columns: z.array(z.object({ label: text(200), unit: unit.optional() })).max(16),
    rows: z.array(z.array(cell).max(16)).max(256),
    /** Rows beyond those sent (the table is cut at 256). */
    more: z.number().int().min(0).optional(),
    /** Index of the column holding a peer id (the view links it to the graph). */
    peerColumn: z.number().int().min(0).max(15).optional(),
  }),
  z.object({ kind: z.literal('bits'), title: text(200), label: text(200), bits: z.string().regex(/^[01]*$/).max(65_536) }),
  /** Peers in order, to draw as a path on the graph (a lookup's route). */
  z.object({ kind: z.literal('path'), title: text(200), peers: z.array(peerIndex).max(512) }),
  /** A set of peers to highlight (unchoked, a k-bucket). */
  z.object({ kind: z.literal('peers'), title: text(200), peers: z.array(peerIndex).max(2000) }),
]);
export type InspectSection = z.infer<typeof inspectSection>;
export const inspectData = z.object({
  run: z.number().int().min(0),
  timeMs: z.number(),
  id: peerIndex,
  alive: z.boolean(),
  state: text(64),
  value: z.number().optional(),
  /** Its overlay neighbours now (to highlight), at most 2000. */
  neighbours: z.array(peerIndex).max(2000),
  sections: z.array(inspectSection).max(24),
});
export type InspectData = z.infer<typeof inspectData>;
export type PeerView = z.infer<typeof peerView>;

const summaryValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export const countersData = z.object({
  timeMs: z.number(),
  events: z.number(),
  online: z.number(),
  sent: z.number(),
  delivered: z.number(),
  dropped: z.number(),
  bytesSent: z.number(),
  /** The protocol's own summary keys (`reached`, `lookupsDone`, ...). */
  summary: z.record(z.string(), summaryValue),
});
export type CountersData = z.infer<typeof countersData>;

/** One series as sent: its points of indices [start, end), thinned when `t.length < end - start`. */
export const seriesChunk = z.object({
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  t: z.array(z.number()).max(20_000),
  v: z.array(z.number()).max(20_000),
});
export const seriesData = z.object({
  run: z.number().int().min(0),
  /** Virtual time the series are shown at (points after it are not included). */
  timeMs: z.number(),
  /**
   * True: `series` is each series whole (thinned), replacing what the client has (a new run, a seek
   * back, replay). False: only points added since the last event; a client whose series end before a
   * chunk's `start` missed some and asks `lab.series` for the whole.
   */
  reset: z.boolean(),
  series: z.record(z.string().max(200), seriesChunk),
});
export type SeriesData = z.infer<typeof seriesData>;
export type SeriesChunkData = z.infer<typeof seriesChunk>;

export const savedRecording = z.object({
  /** A file name to offer (`<scenario>-seed<seed>.peerlab.jsonl`). */
  name: z.string(),
  /** The recording's text (JSON lines; the dashboard gzips it when saving). */
  text: z.string(),
  frames: z.number().int().min(0),
});
export type SavedRecording = z.infer<typeof savedRecording>;

/**
 * Largest part of a recording sent in one `lab.replay.open` (frames are limited to 1 MiB; senders
 * should send less, as the dashboard does (256 Ki characters), since JSON escaping of the quotes in a
 * recording's text and UTF-8 can grow a part on the wire).
 */
export const REPLAY_PART_CHARS = 768 * 1024;
/** A whole recording sent for replay, at most (characters). */
export const REPLAY_MAX_CHARS = 96 * 1024 * 1024;

export const scenarioInfo = z.object({ name: z.string(), description: z.string(), file: z.string() });
export type ScenarioInfo = z.infer<typeof scenarioInfo>;

export const labGroup = defineGroup({
  name: 'lab',
  commands: {
    'lab.scenarios': command('list the bundled scenarios', empty, z.array(scenarioInfo)),
    'lab.load': command(
      'load a scenario: a bundled one by name, or YAML/JSON text',
      z
        .strictObject({
          name: z.string().min(1).max(200).optional(),
          text: z.string().min(1).max(512 * 1024).optional(),
          seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
        })
        .refine((a) => (a.name === undefined) !== (a.text === undefined), { message: 'give exactly one of name or text' }),
      labState,
    ),
    'lab.play': command('run virtual time at the current speed', empty, labState),
    'lab.pause': command('stop virtual time', empty, labState),
    'lab.step': command(
      'advance virtual time by ms (default 100) while paused',
      z.strictObject({ ms: z.number().positive().max(3_600_000).optional() }).optional().default({}),
      labState,
    ),
    'lab.speed': command('set the speed: virtual ms per wall-clock ms', z.strictObject({ speed }), labState),
    'lab.reset': command(
      'rebuild the loaded scenario at time 0 (optionally with another seed)',
      z.strictObject({ seed: z.number().int().min(0).max(2 ** 32 - 1).optional() }).optional().default({}),
      labState,
    ),
    'lab.state': command('the current state', empty, labState),
    'lab.snapshot': command(
      'a snapshot now (peers capped at maxPeers)',
      z.strictObject({ maxPeers: z.number().int().min(1).max(20_000).optional() }).optional().default({}),
      snapshotData,
    ),
    'lab.seek': command(
      'show virtual time t: live, a run back in time is simulated again from 0 (deterministic), one ahead runs forward; replay jumps to the frame at t',
      z.strictObject({ timeMs: z.number().min(0).max(1e12) }),
      labState,
    ),
    'lab.series': command(
      "the run's time series up to now, each thinned to at most maxPoints (default 2000)",
      z.strictObject({ maxPoints: z.number().int().min(10).max(20_000).optional() }).optional().default({}),
      seriesData,
    ),
    'lab.record.start': command(
      'start recording the live run: a frame (counters and snapshot) every everyMs of virtual time',
      z
        .strictObject({
          everyMs: z.number().min(1).max(3_600_000).optional(),
          maxPeers: z.number().int().min(1).max(20_000).optional(),
          keyframeEvery: z.number().int().min(1).max(10_000).optional(),
        })
        .optional()
        .default({}),
      labState,
    ),
    'lab.record.stop': command('stop recording (the recording is kept for lab.record.save)', empty, labState),
    'lab.record.save': command('the recording made so far, as the text of a recording file', empty, savedRecording),
    'lab.replay.open': command(
      'open a recording to replay, sent in parts of at most 768 Ki characters (part 0..parts-1, in order; 96 Mi characters in all); the last part opens it',
      z.strictObject({
        name: z.string().min(1).max(200),
        part: z.number().int().min(0),
        parts: z.number().int().min(1).max(1024),
        text: z.string().max(REPLAY_PART_CHARS),
      }),
      labState,
    ),
    'lab.replay.close': command('leave replay: back to the live run as it was', empty, labState),
    'lab.join': command(
      'everything a new window needs to show the lab as it is now: state, counters, snapshot, series, observation',
      z.strictObject({ maxPeers: z.number().int().min(1).max(20_000).optional(), maxPoints: z.number().int().min(10).max(20_000).optional() }).optional().default({}),
      z.object({ state: labState, counters: countersData, snapshot: snapshotData, series: seriesData, observation: observationData.nullable() }),
    ),
    'lab.observation': command("what the loaded run's protocol measures and how it is drawn (labels, units, colours, theory)", empty, observationData.nullable()),
    'lab.inspect': command(
      "one peer's state now, by protocol (trust table, routing table and last lookup, piece map and choke state, ...)",
      z.strictObject({ peer: z.number().int().min(0).max(2 ** 24) }),
      inspectData,
    ),
    'lab.validate': command(
      'check a scenario text without loading it: every problem with its path',
      z.strictObject({ text: z.string().min(1).max(512 * 1024) }),
      z.object({ ok: z.boolean(), issues: z.array(z.object({ path: z.string(), message: z.string() })) }),
    ),
    'lab.scenario.text': command(
      "the loaded scenario's text, to edit and load again (empty before anything is loaded)",
      empty,
      z.object({ text: z.string(), source: z.string().nullable() }),
    ),
    'lab.replay.resimulate': command(
      "load the replayed recording's scenario text and seed as a live run, at the time the replay shows",
      empty,
      labState,
    ),
  },
  events: {
    'lab.state': labState,
    'lab.snapshot': snapshotData,
    'lab.counters': countersData,
    'lab.series': seriesData,
  },
});

/** The host's own group: greeting a new client with what it can call. */
export const hostGroup = defineGroup({
  name: 'host',
  commands: {
    'host.ping': command('round trip check', empty, z.object({ pong: z.literal(true), timeMs: z.number() })),
  },
  events: {
    'host.hello': z.object({ version: z.string(), commands: z.array(z.string()), events: z.array(z.string()) }),
  },
});
