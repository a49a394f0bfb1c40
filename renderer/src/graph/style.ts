/**
 * The peer graph's Cytoscape stylesheet. Colours come from element data (set from the contract's
 * palette); classes mark what the user does: `dim` (filtered out, or not next to the selected peer),
 * `near` (a neighbour of the selected peer), `marked` (a set the inspector points at), `fresh` and
 * `gone` (rewiring), `path` (a lookup's hops drawn over the graph).
 */
import type { StylesheetJson } from 'cytoscape';
import { REWIRED_IN, REWIRED_OUT } from '../observe/palette.js';

/** Dot size for a population drawn: bigger for small swarms, smaller for thousands. */
export function dotSize(n: number): number {
  return n <= 300 ? 14 : n <= 1000 ? 10 : 7;
}

export const PATH_COLOUR = '#d97706';
export const MARK_COLOUR = '#7c3aed';

export function graphStyle(size: number): StylesheetJson {
  // a peer with a value (reputation 0..1, progress) is drawn from about half to one and a half times the size
  const lo = Math.round(size * 0.5);
  const hi = Math.round(size * 1.6);
  return [
    {
      selector: 'node',
      style: {
        'background-color': 'data(color)',
        width: size,
        height: size,
        'border-width': 1,
        'border-color': '#ffffff',
        'border-opacity': 0.9,
      },
    },
    { selector: 'node[value]', style: { width: `mapData(value, 0, 1, ${lo}, ${hi})`, height: `mapData(value, 0, 1, ${lo}, ${hi})` } },
    { selector: 'node.offline', style: { opacity: 0.45, 'border-color': '#a1a1aa', 'border-style': 'dashed' } },
    {
      selector: 'edge',
      style: { width: 1, 'line-color': 'data(color)', opacity: 0.55, 'curve-style': 'haystack' },
    },
    { selector: 'edge.dashed', style: { 'line-style': 'dashed', 'curve-style': 'straight' } },
    { selector: 'edge.fresh', style: { width: 2.5, 'line-color': REWIRED_IN.colour, opacity: 0.95 } },
    { selector: 'edge.gone', style: { width: 1.5, 'line-color': REWIRED_OUT.colour, opacity: 0.45, 'line-style': 'dashed', 'curve-style': 'straight' } },
    { selector: 'node.dim', style: { opacity: 0.12 } },
    { selector: 'edge.dim', style: { opacity: 0.04 } },
    { selector: 'node.near', style: { 'border-color': '#0f172a', 'border-width': 2 } },
    { selector: 'edge.near', style: { opacity: 0.95, width: 1.8 } },
    { selector: 'node.marked', style: { 'border-color': MARK_COLOUR, 'border-width': 3, opacity: 1 } },
    {
      selector: 'node:selected',
      style: { 'border-color': '#0f172a', 'border-width': 3, label: 'data(label)', 'font-size': 10, 'text-valign': 'top', 'text-margin-y': -3, opacity: 1 },
    },
    { selector: 'node.hover', style: { label: 'data(label)', 'font-size': 10, 'text-valign': 'top', 'text-margin-y': -3 } },
    {
      selector: 'edge.path',
      style: {
        width: 3,
        'line-color': PATH_COLOUR,
        'target-arrow-color': PATH_COLOUR,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.9,
        'curve-style': 'straight',
        opacity: 1,
        label: 'data(label)',
        'font-size': 9,
        color: '#92400e',
        'text-background-color': '#fff7ed',
        'text-background-opacity': 0.9,
        'text-background-padding': '1px',
        'z-index': 10,
      },
    },
  ];
}
