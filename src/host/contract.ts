/**
 * The LabHost contract, built from groups. A group is a set of commands (each with a zod schema for its
 * arguments and for its result) and events (each with a zod schema for its data). The lab's group lives
 * in `lab-group.ts`; the live network adds its own from `src/host/live/` and lists it in `groups.ts`.
 * Everything that crosses a transport (WebSocket or Electron IPC) is one of the frames below, and both
 * transports validate every frame against these schemas before anything acts on it.
 *
 * This file imports only zod, so the renderer can import its types and the preload can stay tiny.
 */
import { z } from 'zod';

export interface CommandSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  /** One line for `host.hello`, docs and errors. */
  summary: string;
  args: A;
  result: R;
}

export interface Group<
  C extends Record<string, CommandSpec> = Record<string, CommandSpec>,
  E extends Record<string, z.ZodType> = Record<string, z.ZodType>,
> {
  /** The prefix of every command and event name of the group: `lab` -> `lab.play`, `lab.snapshot`. */
  name: string;
  commands: C;
  events: E;
}

/** Checks the naming rule (every name is `<group>.<verb>`) once, when the group is defined. */
export function defineGroup<
  const C extends Record<string, CommandSpec>,
  const E extends Record<string, z.ZodType>,
>(group: Group<C, E>): Group<C, E> {
  if (!/^[a-z][a-zA-Z0-9]*$/.test(group.name)) throw new Error(`defineGroup: bad group name '${group.name}'`);
  for (const name of [...Object.keys(group.commands), ...Object.keys(group.events)]) {
    if (!name.startsWith(`${group.name}.`)) throw new Error(`defineGroup(${group.name}): '${name}' must start with '${group.name}.'`);
  }
  return group;
}

export function command<A extends z.ZodType, R extends z.ZodType>(summary: string, args: A, result: R): CommandSpec<A, R> {
  return { summary, args, result };
}

// ---- frames on the wire -------------------------------------------------------------------------

/** Largest frame a transport accepts (bytes of JSON). Scenario texts fit easily; a bigger frame is refused. */
export const MAX_FRAME_BYTES = 1 << 20;

export const callId = z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(64)]);
export type CallId = z.infer<typeof callId>;

/** client -> host */
export const callFrame = z.strictObject({
  type: z.literal('call'),
  id: callId,
  cmd: z.string().min(1).max(64),
  args: z.unknown().optional(),
});
export type CallFrame = z.infer<typeof callFrame>;

export const errorCode = z.enum([
  'bad_json', // the frame is not JSON
  'too_large', // the frame exceeds MAX_FRAME_BYTES
  'bad_frame', // JSON, but not a call frame
  'unknown_command', // no such command
  'bad_args', // the arguments fail the command's schema
  'failed', // the command ran and refused (e.g. a bad scenario file); the message says why
  'internal', // a bug in the host: reported, never crashes the host
]);
export type ErrorCode = z.infer<typeof errorCode>;

export const hostError = z.object({
  code: errorCode,
  message: z.string(),
  /** For schema errors: each problem with its path (`args.speed`). */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type HostErrorData = z.infer<typeof hostError>;

/** host -> client */
export const resultFrame = z.object({ type: z.literal('result'), id: callId, result: z.unknown() });
export const errorFrame = z.object({ type: z.literal('error'), id: callId.nullable(), error: hostError });
export const eventFrame = z.object({ type: z.literal('event'), event: z.string(), data: z.unknown() });
export const hostFrame = z.discriminatedUnion('type', [resultFrame, errorFrame, eventFrame]);
export type ResultFrame = z.infer<typeof resultFrame>;
export type ErrorFrame = z.infer<typeof errorFrame>;
export type EventFrame = z.infer<typeof eventFrame>;
export type HostFrame = z.infer<typeof hostFrame>;

// ---- types derived from a list of groups --------------------------------------------------------

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

type CommandsOf<G> = G extends Group<infer C, Record<string, z.ZodType>> ? C : never;
type EventsOf<G> = G extends Group<Record<string, CommandSpec>, infer E> ? E : never;

/** `{ 'lab.play': { args: ..., result: ... }, ... }` over every group in the tuple. */
export type CommandTypes<Gs extends readonly Group[]> = {
  [K in keyof UnionToIntersection<CommandsOf<Gs[number]>>]: UnionToIntersection<CommandsOf<Gs[number]>>[K] extends CommandSpec<
    infer A,
    infer R
  >
    ? { args: z.input<A>; result: z.output<R> }
    : never;
};

/** `{ 'lab.snapshot': SnapshotData, ... }` over every group in the tuple. */
export type EventTypes<Gs extends readonly Group[]> = {
  [K in keyof UnionToIntersection<EventsOf<Gs[number]>>]: UnionToIntersection<EventsOf<Gs[number]>>[K] extends z.ZodType
    ? z.output<UnionToIntersection<EventsOf<Gs[number]>>[K]>
    : never;
};

/** Handlers a host side supplies for a group: validated args in, a result the result schema accepts out. */
export type GroupHandlers<G extends Group> = {
  [K in keyof G['commands']]: (args: z.output<G['commands'][K]['args']>) => z.input<G['commands'][K]['result']> | Promise<z.input<G['commands'][K]['result']>>;
};

/** Turns zod issues into `path: message` pairs, with the path prefixed (`args.speed`). */
export function describeIssues(err: z.ZodError, prefix: string): { path: string; message: string }[] {
  return err.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter((s) => s !== '').join('.');
    return { path: path || '(root)', message: i.message };
  });
}
