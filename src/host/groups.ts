/**
 * Every group of the LabHost contract. This list is the extension point: a new area (the live network
 * in `src/host/live/`) defines its group with `defineGroup` and adds it here, and the transports, the
 * renderer's HostClient types and `host.hello` pick it up. Only schema modules belong here (they
 * import zod and `contract.ts`), so the renderer can import the types.
 */
import type { CommandTypes, EventTypes } from './contract.js';
import { hostGroup, labGroup } from './lab-group.js';
import { liveGroup } from './live/group.js';

export const groups = [hostGroup, labGroup, liveGroup] as const;

export type HostGroups = typeof groups;
/** `HostCommands['lab.step']` is `{ args, result }`. */
export type HostCommands = CommandTypes<HostGroups>;
/** `HostEvents['lab.snapshot']` is the snapshot's data. */
export type HostEvents = EventTypes<HostGroups>;
export type CommandName = keyof HostCommands & string;
export type EventName = keyof HostEvents & string;
