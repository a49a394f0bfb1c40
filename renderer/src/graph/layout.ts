/**
 * Where peers go when the network has no map: a force layout (fcose, run on a headless Cytoscape
 * graph: nothing of Cytoscape is drawn) when there are enough links to lay out by, else a sunflower in
 * id order (a force layout of a thousand mostly unconnected peers is slow and says nothing). Peers on
 * the network's map (geo latency) are placed on it and never laid out.
 */
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { sunflower } from './mapping.js';

cytoscape.use(fcose);

/** Model units of the map's long side: a unit-square map place becomes at most this far across. */
export const MAP_SIZE = 1000;

/** A place on the network's map (unit square) in model units, keeping the view's aspect. */
export function mapPlace(pos: { x: number; y: number }, aspect: number): { x: number; y: number } {
  return { x: pos.x * MAP_SIZE, y: pos.y * MAP_SIZE * aspect };
}

/** Places for `peers` linked by `links`: fcose with at least half as many links as peers, else a sunflower. */
export function layoutPlaces(peers: readonly number[], links: readonly [number, number][]): Map<number, { x: number; y: number }> {
  const out = new Map<number, { x: number; y: number }>();
  const sorted = [...peers].sort((a, b) => a - b);
  if (links.length < sorted.length * 0.5 || sorted.length < 3) {
    const pos = sunflower(sorted.length);
    sorted.forEach((p, i) => out.set(p, pos[i] as { x: number; y: number }));
    return out;
  }
  const n = sorted.length;
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    elements: [
      ...sorted.map((p) => ({ group: 'nodes' as const, data: { id: `p${p}` } })),
      ...links.map(([a, b]) => ({ group: 'edges' as const, data: { id: `e${a}-${b}`, source: `p${a}`, target: `p${b}` } })),
    ],
    style: [{ selector: 'node', style: { width: 10, height: 10 } }],
  });
  cy.layout({
    name: 'fcose',
    quality: n > 600 ? 'draft' : 'default',
    randomize: true,
    animate: false,
    fit: false,
    nodeRepulsion: () => 6000,
    idealEdgeLength: () => (n > 400 ? 40 : 60),
    edgeElasticity: () => 0.35,
    numIter: n > 600 ? 1200 : 2500,
    packComponents: true,
  } as cytoscape.LayoutOptions).run();
  cy.nodes().forEach((node) => void out.set(Number(node.id().slice(1)), { ...node.position() }));
  cy.destroy();
  return out;
}
