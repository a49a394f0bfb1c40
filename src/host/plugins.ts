/**
 * Behaviour behind the groups of `groups.ts` other than the lab's: each plugin mounts its group's
 * handlers on the router and may keep resources until `close`. The live network adds its plugin
 * (from `src/host/live/`) to this list.
 */
import { livePlugin } from './live/plugin.js';
import type { HostRouter } from './router.js';

export interface HostPluginContext {
  router: HostRouter;
  /** Emits a validated event to every client. */
  emit: (event: string, data: unknown) => void;
}

export interface HostPlugin {
  name: string;
  /** Mounts the plugin's group; returns what to call on shutdown. */
  mount(ctx: HostPluginContext): { close(): void | Promise<void> } | void;
}

export const plugins: HostPlugin[] = [livePlugin()];
