/**
 * What the user is looking at in the graph: the selected peer (its inspector), the state filter (the
 * legend's entries toggled on: other peers are dimmed) and a path to draw (a lookup's hops). Kept apart
 * from the lab store: it is this window's view, not the run's state, and another window may look at
 * another peer. One store per graph (`scope`): the Lab's and the Live view's selections are apart.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';

function selection() {
  /** The selected peer's id, or null. */
  const peer = ref<number | null>(null);
  /** States shown in full (empty: all); the others are dimmed. 'offline' stands for offline peers. */
  const states = shallowRef<ReadonlySet<string>>(new Set());
  /** Peers to draw as a path over the graph (a lookup's hops, in order), or null. */
  const path = shallowRef<readonly number[] | null>(null);
  /** Peers to ring (a set the inspector points at: a k-bucket, the unchoked peers). */
  const marked = shallowRef<readonly number[]>([]);

  function select(id: number | null): void {
    if (peer.value === id) return;
    peer.value = id;
    path.value = null;
    marked.value = [];
  }

  function toggleState(state: string): void {
    const next = new Set(states.value);
    if (next.has(state)) next.delete(state);
    else next.add(state);
    states.value = next;
  }

  /** Clears the innermost thing first: the marked set and path, then the selection, then the filter. True if anything was cleared. */
  function escape(): boolean {
    if (path.value || marked.value.length) {
      path.value = null;
      marked.value = [];
      return true;
    }
    if (peer.value !== null) {
      peer.value = null;
      return true;
    }
    if (states.value.size) {
      states.value = new Set();
      return true;
    }
    return false;
  }

  return {
    peer,
    states,
    path,
    marked,
    select,
    toggleState,
    clearStates: () => (states.value = new Set()),
    showPath: (p: readonly number[] | null) => (path.value = p),
    mark: (ids: readonly number[]) => (marked.value = ids),
    escape,
    /** A new run: its peers are other peers. */
    reset: () => {
      peer.value = null;
      path.value = null;
      marked.value = [];
      states.value = new Set();
    },
  };
}

const stores = new Map<string, ReturnType<typeof define>>();
const define = (scope: string) => defineStore(scope === 'lab' ? 'selection' : `selection-${scope}`, selection);

/** The selection of the graph of `scope` ('lab': the Lab view's, which the inspector and side panel read). */
export function useSelection(scope = 'lab'): ReturnType<ReturnType<typeof define>> {
  let use = stores.get(scope);
  if (!use) stores.set(scope, (use = define(scope)));
  return use();
}

export type Selection = ReturnType<typeof useSelection>;
