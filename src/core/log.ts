/**
 * The one logger: a namespace per part (`kademlia`, `live`, `host`, `lab`...), quiet by default.
 * Warnings and errors always reach the sink; debug lines only for the namespaces turned on, by
 * `PEERLAB_DEBUG=kademlia,live` (a name covers its sub-namespaces: `live` turns on `live:peer`; `*`
 * turns on all), or `peerlab --verbose` (all). What a command prints as its output is not logging: the CLI
 * writes that to stdout itself. Log lines go to stderr (or to the sink a host installs) as
 * `[namespace] message`.
 *
 * No Node builtins: the environment is read from `globalThis.process` where there is one, so the same
 * logger runs in a worker, a browser and a test.
 */

export type LogLevel = 'debug' | 'warn' | 'error';
export type LogSink = (level: LogLevel, namespace: string, message: string, detail?: unknown) => void;

export interface Logger {
  readonly namespace: string;
  /** True when this namespace's debug lines are on: guard costly messages with it. */
  readonly enabled: boolean;
  debug(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
  /** A sub-namespace: `logger('live').child('peer')` is `live:peer`. */
  child(name: string): Logger;
}

const consoleSink: LogSink = (_level, namespace, message, detail) => {
  const line = `[${namespace}] ${message}`;
  // the one place the library writes to the console; everything else goes through a Logger
  if (detail === undefined) console.error(line);
  else console.error(line, detail);
};

let sink: LogSink = consoleSink;
let patterns: RegExp[] | null = null;

function envSpec(): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.PEERLAB_DEBUG ?? '';
}

function compile(spec: string): RegExp[] {
  return spec
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}(:.*)?$`));
}

/** Whether debug lines of `namespace` are on: a listed name covers its sub-namespaces (`live` covers `live:peer`). */
export function debugEnabled(namespace: string): boolean {
  patterns ??= compile(envSpec());
  return patterns.some((p) => p.test(namespace));
}

/**
 * Turns debug lines on for a comma-separated list of namespaces (`*` for all, '' for none), replacing
 * what PEERLAB_DEBUG said. Also sets PEERLAB_DEBUG where there is an environment, so worker threads and
 * child processes started afterwards log the same parts.
 */
export function enableDebug(spec: string): void {
  patterns = compile(spec);
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env) env.PEERLAB_DEBUG = spec;
}

/** Where log lines go (a host may forward them; a test may collect them). Returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const prev = sink;
  sink = next;
  return prev;
}

export function logger(namespace: string): Logger {
  return {
    namespace,
    get enabled() {
      return debugEnabled(namespace);
    },
    debug(message, detail) {
      if (debugEnabled(namespace)) sink('debug', namespace, message, detail);
    },
    warn(message, detail) {
      sink('warn', namespace, message, detail);
    },
    error(message, detail) {
      sink('error', namespace, message, detail);
    },
    child(name) {
      return logger(`${namespace}:${name}`);
    },
  };
}
