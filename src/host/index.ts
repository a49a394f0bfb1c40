/**
 * LabHost: the one API through which any UI drives the lab. `contract.ts` defines frames and groups,
 * `lab-group.ts` the lab's commands and events (zod schemas), `groups.ts` lists every group (the
 * extension point for src/host/live/), `router.ts` validates and dispatches frames for any transport,
 * `lab-host.ts` runs a simulation session in scaled real time, and `ws-server.ts` is the WebSocket
 * transport (Electron's IPC adapter lives in main/). `createHost` wires them together.
 */
import { logger } from '../core/index.js';
import { groups } from './groups.js';
import { hostGroup } from './lab-group.js';
import { labGroup } from './lab-group.js';
import { LabHost, type LabHostOptions } from './lab/host.js';
import { plugins as defaultPlugins, type HostPlugin } from './plugins.js';
import { HostRouter } from './router.js';

export { HostRouter, CommandError } from './router.js';
export { LabHost } from './lab/host.js';
export { Lab } from './lab/lab.js';
export * from './contract.js';
export * from './lab-group.js';
export { groups, type HostCommands, type HostEvents, type CommandName, type EventName } from './groups.js';

export const HOST_VERSION = '1';

export interface CreateHostOptions extends Omit<LabHostOptions, 'emit'> {
  /** A bundled scenario to open at start (default `gossip-small` when it exists; none if it fails to load). */
  defaultScenario?: string | null;
  plugins?: HostPlugin[];
  log?: (msg: string) => void;
}

export interface Host {
  router: HostRouter;
  lab: LabHost;
  /** Settles once the default scenario is open (or failed to open). */
  ready: Promise<void>;
  /** The greeting each new client gets first. */
  hello(): { version: string; commands: string[]; events: string[] };
  close(): Promise<void>;
}

export function createHost(opts: CreateHostOptions = {}): Host {
  const log = opts.log ?? ((m: string) => logger('host').warn(m));
  const router = new HostRouter();
  const emit = (event: string, data: unknown): void => {
    router.emit(event, data);
  };
  const lab = new LabHost({ ...opts, emit, log });
  router.mount(hostGroup, { 'host.ping': () => ({ pong: true as const, timeMs: Date.now() }) });
  router.mount(labGroup, lab.handlers());
  const closers: { close(): void | Promise<void> }[] = [];
  for (const p of opts.plugins ?? defaultPlugins) {
    const c = p.mount({ router, emit });
    if (c) closers.push(c);
  }
  const mounted = new Set(router.commandNames());
  for (const g of groups) {
    for (const name of Object.keys(g.commands)) if (!mounted.has(name)) log(`LabHost: command '${name}' of group '${g.name}' has no handler`);
  }

  const wanted = opts.defaultScenario === undefined ? 'gossip-small' : opts.defaultScenario;
  // the worker opens the default scenario while the host already answers (a client may join first: it gets the state when it is ready)
  const ready = wanted
    ? (lab.call('lab.scenarios') as Promise<{ name: string }[]>)
        .then((list) => {
          const known = list.map((s) => s.name);
          const pick = known.includes(wanted) ? wanted : known[0];
          return pick ? lab.call('lab.load', { name: pick }) : undefined;
        })
        .then(
          () => undefined,
          (err: Error) => log(`LabHost: could not open scenario '${wanted}': ${err.message}`),
        )
    : Promise.resolve();

  return {
    router,
    lab,
    ready,
    hello: () => ({ version: HOST_VERSION, commands: router.commandNames(), events: router.eventNames() }),
    async close() {
      await lab.close();
      for (const c of closers) await c.close();
    },
  };
}
