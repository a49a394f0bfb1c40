/**
 * The transport-independent half of LabHost: takes a frame (raw JSON text from a WebSocket, or the
 * structured-cloned object from Electron IPC), validates it against the contract, runs the command's
 * handler, validates the result, and answers with a result or an error frame. Events go out through
 * `emit`, validated against their schema, to every subscriber (one per connected client or window).
 *
 * Nothing a client sends can throw out of here: bad JSON, a bad frame, an unknown command or bad
 * arguments each get an error frame naming the problem, and a handler's exception becomes a
 * `failed` (or `internal`) error frame.
 */
import { logger } from '../core/index.js';
import { z } from 'zod';
import {
  MAX_FRAME_BYTES,
  callFrame,
  describeIssues,
  type CallId,
  type CommandSpec,
  type ErrorCode,
  type ErrorFrame,
  type EventFrame,
  type Group,
  type GroupHandlers,
  type HostFrame,
} from './contract.js';

const log = logger('host');

/** Thrown by a handler to refuse a command with a message meant for the user (bad scenario, ...). */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

type Listener = (frame: EventFrame) => void;

interface Mounted {
  spec: CommandSpec;
  handler: (args: unknown) => unknown;
}

export interface RouterOptions {
  /** Reports handler bugs (not user errors). Default: the `host` logger. */
  onInternalError?: (err: unknown, cmd: string) => void;
}

export class HostRouter {
  private readonly commands = new Map<string, Mounted>();
  private readonly events = new Map<string, z.ZodType>();
  private readonly listeners = new Set<Listener>();
  private readonly onInternalError: (err: unknown, cmd: string) => void;

  constructor(opts: RouterOptions = {}) {
    this.onInternalError = opts.onInternalError ?? ((err, cmd) => log.error(`${cmd} failed`, err));
  }

  /** Adds a group's commands with their handlers and its events. A name may be mounted once. */
  mount<G extends Group>(group: G, handlers: GroupHandlers<G>): void {
    for (const [name, spec] of Object.entries(group.commands)) {
      if (this.commands.has(name)) throw new Error(`HostRouter: command '${name}' mounted twice`);
      const handler = (handlers as Record<string, ((args: unknown) => unknown) | undefined>)[name];
      if (typeof handler !== 'function') throw new Error(`HostRouter: no handler for '${name}'`);
      this.commands.set(name, { spec, handler });
    }
    for (const [name, schema] of Object.entries(group.events)) {
      if (this.events.has(name)) throw new Error(`HostRouter: event '${name}' mounted twice`);
      this.events.set(name, schema);
    }
  }

  commandNames(): string[] {
    return [...this.commands.keys()].sort();
  }

  eventNames(): string[] {
    return [...this.events.keys()].sort();
  }

  /** A new client: `listener` gets every event from now on. Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get clients(): number {
    return this.listeners.size;
  }

  /**
   * Validates `data` against the event's schema and sends it to every client. An event that fails its
   * own schema is a host bug: it is reported and not sent, so clients only ever see valid events.
   */
  emit(event: string, data: unknown): boolean {
    const schema = this.events.get(event);
    if (!schema) {
      this.onInternalError(new Error(`emit: unknown event '${event}'`), event);
      return false;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      this.onInternalError(new Error(`emit ${event}: ${describeIssues(parsed.error, 'data').map((i) => `${i.path}: ${i.message}`).join('; ')}`), event);
      return false;
    }
    const frame: EventFrame = { type: 'event', event, data: parsed.data };
    for (const l of [...this.listeners]) {
      try {
        l(frame);
      } catch (err) {
        this.onInternalError(err, `listener of ${event}`);
      }
    }
    return true;
  }

  /** An event frame for one client only (the greeting), validated like `emit`. */
  eventFrame(event: string, data: unknown): EventFrame {
    const schema = this.events.get(event);
    if (!schema) throw new Error(`eventFrame: unknown event '${event}'`);
    return { type: 'event', event, data: schema.parse(data) };
  }

  /** A frame as text (WebSocket). Never throws. */
  async handleText(text: string): Promise<HostFrame> {
    if (text.length > MAX_FRAME_BYTES)
      return errorFrame(null, 'too_large', `frame of ${text.length} bytes exceeds the limit of ${MAX_FRAME_BYTES}`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return errorFrame(null, 'bad_json', `frame is not valid JSON: ${(err as Error).message}`);
    }
    return this.handleFrame(value);
  }

  /** A frame as a value (IPC, or parsed JSON). Never throws. */
  async handleFrame(value: unknown): Promise<HostFrame> {
    const parsed = callFrame.safeParse(value);
    if (!parsed.success) {
      const id = recoverId(value);
      const issues = describeIssues(parsed.error, '');
      return errorFrame(id, 'bad_frame', `not a call frame ({ type: 'call', id, cmd, args }): ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    }
    const { id, cmd, args } = parsed.data;
    const mounted = this.commands.get(cmd);
    if (!mounted) {
      return errorFrame(id, 'unknown_command', `unknown command '${cmd}' (known: ${this.commandNames().join(', ')})`);
    }
    const argsParsed = mounted.spec.args.safeParse(args);
    if (!argsParsed.success) {
      const issues = describeIssues(argsParsed.error, 'args');
      return errorFrame(id, 'bad_args', `${cmd}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    }
    let result: unknown;
    const t0 = log.enabled ? performance.now() : 0;
    try {
      result = await mounted.handler(argsParsed.data);
      if (log.enabled) log.debug(`${cmd} ${(performance.now() - t0).toFixed(1)} ms`);
    } catch (err) {
      if (err instanceof CommandError) return errorFrame(id, 'failed', `${cmd}: ${err.message}`, err.issues);
      const e = err as Error;
      // Input errors of the lab (ScenarioError, ConfigError, RangeError on bad values) are the user's to fix.
      if (e && (e.name === 'ScenarioError' || e.name === 'ConfigError' || e.name === 'RangeError'))
        return errorFrame(id, 'failed', `${cmd}: ${e.message}`);
      this.onInternalError(err, cmd);
      return errorFrame(id, 'internal', `${cmd}: internal error: ${e?.message ?? String(err)}`);
    }
    const out = mounted.spec.result.safeParse(result);
    if (!out.success) {
      const msg = describeIssues(out.error, 'result').map((i) => `${i.path}: ${i.message}`).join('; ');
      this.onInternalError(new Error(`result of ${cmd} fails its schema: ${msg}`), cmd);
      return errorFrame(id, 'internal', `${cmd}: internal error: result fails its schema (${msg})`);
    }
    return { type: 'result', id, result: out.data };
  }
}

function errorFrame(id: CallId | null, code: ErrorCode, message: string, issues?: { path: string; message: string }[]): ErrorFrame {
  return { type: 'error', id, error: issues ? { code, message, issues } : { code, message } };
}

/** The id of a malformed frame, if it has a usable one, so the client can still match the error. */
function recoverId(value: unknown): CallId | null {
  if (value === null || typeof value !== 'object') return null;
  const id = (value as { id?: unknown }).id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
  return null;
}
