/**
 * Colours and names of peer states and link kinds, from the observation contract: the graph, its
 * legend, exports and the inspector all ask here, so a colour has one meaning everywhere. A state the
 * contract does not declare gets a stable colour from its name (and is named as it is); offline peers
 * are grey whatever their state. Pure: unit-tested directly.
 */
import { humanize } from './words.js';
import type { LinkKindSpec, ObservationData, StateSpec } from './spec.js';

export const OFFLINE_COLOUR = '#d4d4d8';
/** Links of a kind the contract does not declare (or before it arrives). */
export const DEFAULT_LINK: LinkKindSpec = { name: 'link', label: 'link', colour: '#94a3b8', description: 'a link between two peers', rewiring: false };
/** How a rewiring change is drawn for a while: the new link thick green, the cut one red and dashed. */
export const REWIRED_IN = { label: 'link just made (rewiring)', colour: '#16a34a' };
export const REWIRED_OUT = { label: 'link just cut (rewiring)', colour: '#ef4444' };

/** A colour from a name, stable across runs and windows (for states nobody declared). */
export function hashColour(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360}, 65%, 45%)`;
}

export class Palette {
  private readonly states: Map<string, StateSpec>;
  readonly linkKinds: readonly LinkKindSpec[];

  constructor(readonly observation: ObservationData | null) {
    this.states = new Map((observation?.states ?? []).map((s) => [s.name, s]));
    this.linkKinds = observation?.linkKinds.length ? observation.linkKinds : [DEFAULT_LINK];
  }

  /** The fill of a peer in `state`; offline peers take the contract's `offline` colour whatever their state. */
  colour(state: string, alive = true): string {
    if (!alive) return this.states.get('offline')?.colour ?? OFFLINE_COLOUR;
    return this.states.get(state)?.colour ?? hashColour(state);
  }

  /** How the legend names offline peers (the contract's `offline` state, or a plain default). */
  get offline(): StateSpec {
    return this.states.get('offline') ?? { name: 'offline', label: 'offline', colour: OFFLINE_COLOUR, description: 'not online now (churn, or the scenario took it down)' };
  }

  stateSpec(state: string): StateSpec {
    return this.states.get(state) ?? { name: state, label: humanize(state), colour: hashColour(state), description: '' };
  }

  /** Declared states first (in the contract's order), then others by name. `offline` is not a state a peer is drawn in. */
  orderStates(names: Iterable<string>): string[] {
    const order = new Map([...this.states.keys()].map((k, i) => [k, i]));
    return [...names].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b));
  }

  link(kind: number | undefined): LinkKindSpec {
    return this.linkKinds[kind ?? 0] ?? DEFAULT_LINK;
  }

  /** True if a change of a link of this kind is the protocol rewiring its overlay. */
  rewires(kind: number | undefined): boolean {
    return this.link(kind).rewiring;
  }

  /** True if any link kind of the protocol rewires (the legend then explains the highlights). */
  get anyRewiring(): boolean {
    return this.linkKinds.some((k) => k.rewiring);
  }
}

/** A lookup's path drawn over the graph, and peers the inspector marks. */
export const PATH_COLOUR = '#d97706';
export const MARK_COLOUR = '#7c3aed';
