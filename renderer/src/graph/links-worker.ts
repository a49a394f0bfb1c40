/**
 * The link layer's rasteriser (raster.ts) in a worker, so that a big graph's links are drawn on the
 * other core while the page draws its peers: a picture costs the longer of the two, not their sum.
 * It keeps the last groups it was sent (links change far less often than they are drawn) and draws
 * into the buffer it is handed back, so a frame allocates nothing.
 */
import type { LinkJob, LinkReply } from './links-async.js';
import { LineRaster, rasterGroups, type RasterGroup } from './raster.js';

const raster = new LineRaster();
let groups: readonly RasterGroup[] = [];
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<LinkJob>) => void) | null;
  postMessage(message: LinkReply, transfer: Transferable[]): void;
};

scope.onmessage = (e) => {
  const job = e.data;
  try {
    if (job.groups) groups = job.groups;
    const n = job.width * job.height;
    const target = job.buffer && job.buffer.byteLength === n * 4 ? new Uint32Array(job.buffer) : new Uint32Array(n);
    raster.begin(job.width, job.height, target);
    rasterGroups(raster, groups, job.zoom, job.panX, job.panY);
    scope.postMessage({ seq: job.seq, buffer: target.buffer as ArrayBuffer, width: job.width, height: job.height }, [target.buffer]);
  } catch (err) {
    scope.postMessage({ seq: job.seq, error: err instanceof Error ? err.message : String(err) }, []);
  }
};
