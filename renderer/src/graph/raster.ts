/**
 * One-pixel antialiased lines rasterised in JavaScript into a pixel buffer, for the link layer of a
 * big graph. Without a GPU, Chromium's canvas strokes a hairline at about 6 ns per pixel (coverage,
 * blending and the path machinery per segment); 16,000 links of a 2,000-peer graph are ~5 million
 * pixels, 33 ms a frame. Here each link is stepped along its major axis in 16.16 fixed point
 * (Xiaolin Wu's two-pixel coverage) into one byte of coverage per pixel, a look's coverage is then
 * composited with its colour into the RGBA picture, which goes to the canvas in one putImageData:
 * about 3 times faster for the same picture.
 *
 * Coverage accumulates as `a + d·(1 − a)` (what drawing each line over the others gives), so where
 * lines cross or a hub's links meet the result is what the canvas would draw, never brighter.
 */

export class LineRaster {
  width = 0;
  height = 0;
  /** Coverage of the look being drawn, 0..255 per pixel. */
  private cov = new Uint8Array(0);
  /** Rows the look's lines touched: only those are composited and cleared. */
  private rowLo = 0;
  private rowHi = -1;
  private image: ImageData | null = null;
  private px: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  private readonly clipped = new Float64Array(4);

  /**
   * Sizes the buffers to the canvas (device pixels) and clears the picture. `target` (width x height
   * words) becomes the picture: a worker draws into a buffer it then hands over, and gets it back.
   */
  begin(width: number, height: number, target?: Uint32Array<ArrayBuffer>): void {
    if (target && target.length !== width * height) throw new Error(`raster target holds ${target.length} pixels, not ${width}x${height}`);
    if (width !== this.width || height !== this.height) {
      this.width = width;
      this.height = height;
      this.cov = new Uint8Array(width * height);
      this.px = target ?? new Uint32Array(width * height);
      this.image = null;
    } else if (target) this.px = target;
    else this.px.fill(0);
    if (target) {
      this.image = null;
      target.fill(0);
    }
    this.rowLo = height;
    this.rowHi = -1;
  }

  /**
   * Adds a line to the current look's coverage (device pixels); the part outside the picture is cut
   * off first, so a line zoomed far beyond the canvas costs what its visible part costs. `dash`
   * (`[on, off]` in pixels along the line) draws it dashed.
   */
  line(x0: number, y0: number, x1: number, y1: number, dash: readonly [number, number] | null = null): void {
    // Pixel centres in [1, size - 2]: the two pixels a step writes stay inside the buffer.
    const c = this.clipped;
    if (!clip(x0, y0, x1, y1, 1, 1, this.width - 2, this.height - 2, c)) return;
    const w = this.width;
    const cov = this.cov;
    const xMajor = Math.abs((c[2] as number) - (c[0] as number)) >= Math.abs((c[3] as number) - (c[1] as number));
    // (major, minor) coordinates of the two ends, from the lower major end
    let a0 = (xMajor ? c[0] : c[1]) as number;
    let b0 = (xMajor ? c[1] : c[0]) as number;
    let a1 = (xMajor ? c[2] : c[3]) as number;
    let b1 = (xMajor ? c[3] : c[2]) as number;
    if (a0 > a1) {
      const ta = a0;
      const tb = b0;
      a0 = a1;
      b0 = b1;
      a1 = ta;
      b1 = tb;
    }
    const yLo = Math.floor(Math.min(c[1] as number, c[3] as number) - 0.5);
    const yHi = Math.ceil(Math.max(c[1] as number, c[3] as number) + 0.5);
    if (yLo < this.rowLo) this.rowLo = Math.max(0, yLo);
    if (yHi > this.rowHi) this.rowHi = Math.min(this.height - 1, yHi);
    const start = Math.round(a0);
    const end = Math.round(a1);
    const slope = a1 > a0 ? (b1 - b0) / (a1 - a0) : 0;
    // minor coordinate at the first step, minus half a pixel: its integer part is the upper/left pixel
    let m = Math.round((b0 + slope * (start - a0) - 0.5) * 65536);
    const step = Math.round(slope * 65536);
    // pixel index per major step and per minor step
    const major = xMajor ? 1 : w;
    const minor = xMajor ? w : 1;
    if (!dash) {
      // one loop per major axis: the pixel steps are then a constant apart (1 or the width), ~17% faster
      if (xMajor) solidX(cov, w, start, end, m, step);
      else solidY(cov, w, start, end, m, step);
      return;
    }
    const along = Math.hypot(1, slope);
    const on = dash[0];
    const period = dash[0] + dash[1];
    let s = 0;
    for (let i = start; i <= end; i++) {
      if (s < on) {
        const k = (m >> 16) * minor + i * major;
        const f = (m >> 8) & 255;
        let d = cov[k] as number;
        let a = 255 - f;
        cov[k] = d + a - ((d * a + 255) >> 8);
        d = cov[k + minor] as number;
        a = f;
        cov[k + minor] = d + a - ((d * a + 255) >> 8);
      }
      m += step;
      s += along;
      if (s >= period) s -= period;
    }
  }

  /** Composites the current look's coverage in `rgb` over the picture, and clears the coverage. */
  paint(rgb: readonly [number, number, number]): void {
    if (this.rowHi < this.rowLo) return;
    const cov = this.cov;
    const px = this.px;
    const [r, g, b] = rgb;
    const from = this.rowLo * this.width;
    const to = (this.rowHi + 1) * this.width;
    // ImageData is RGBA in memory: little-endian words are 0xAABBGGRR
    const solid = (b << 16) | (g << 8) | r;
    for (let i = from; i < to; i++) {
      const a = cov[i] as number;
      if (a === 0) continue;
      cov[i] = 0;
      const under = px[i] as number;
      const ua = under >>> 24;
      if (ua === 0 || a === 255) {
        px[i] = ((a << 24) | solid) >>> 0;
        continue;
      }
      // source-over of this look (straight alpha) onto what earlier looks drew
      const rest = (ua * (255 - a)) / 255;
      const oa = a + rest;
      const cr = (r * a + (under & 255) * rest) / oa;
      const cg = (g * a + ((under >> 8) & 255) * rest) / oa;
      const cb = (b * a + ((under >> 16) & 255) * rest) / oa;
      px[i] = (((oa + 0.5) << 24) | ((cb + 0.5) << 16) | ((cg + 0.5) << 8) | (cr + 0.5)) >>> 0;
    }
    this.rowLo = this.height;
    this.rowHi = -1;
  }

  /** Puts the picture on the canvas. */
  put(ctx: CanvasRenderingContext2D): void {
    if (this.width < 1 || this.height < 1) return;
    this.image ??= new ImageData(new Uint8ClampedArray(this.px.buffer), this.width, this.height);
    ctx.putImageData(this.image, 0, 0);
  }

  /** The picture (RGBA words, 0xAABBGGRR): for tests. */
  get pixels(): Uint32Array {
    return this.px;
  }
}

/**
 * A solid line's Wu steps along x: coverage 255 - f on the row the minor coordinate is in, f on the
 * row below, each added as drawing over (`d + a·(1 − d)`).
 */
function solidX(cov: Uint8Array, w: number, start: number, end: number, m: number, step: number): void {
  for (let i = start; i <= end; i++) {
    const k = (m >> 16) * w + i;
    const f = (m >> 8) & 255;
    const d0 = cov[k] as number;
    const a0 = 255 - f;
    cov[k] = d0 + a0 - ((d0 * a0 + 255) >> 8);
    const d1 = cov[k + w] as number;
    cov[k + w] = d1 + f - ((d1 * f + 255) >> 8);
    m += step;
  }
}

/** The same along y: the two pixels of a step are side by side. */
function solidY(cov: Uint8Array, w: number, start: number, end: number, m: number, step: number): void {
  for (let i = start, row = start * w; i <= end; i++, row += w) {
    const k = (m >> 16) + row;
    const f = (m >> 8) & 255;
    const d0 = cov[k] as number;
    const a0 = 255 - f;
    cov[k] = d0 + a0 - ((d0 * a0 + 255) >> 8);
    const d1 = cov[k + 1] as number;
    cov[k + 1] = d1 + f - ((d1 * f + 255) >> 8);
    m += step;
  }
}

/** Liang-Barsky: writes into `out` the part of a segment inside the box; false when no part is. */
export function clip(x0: number, y0: number, x1: number, y1: number, xmin: number, ymin: number, xmax: number, ymax: number, out: Float64Array): boolean {
  if (!(Number.isFinite(x0) && Number.isFinite(y0) && Number.isFinite(x1) && Number.isFinite(y1)) || xmax < xmin || ymax < ymin) return false;
  const dx = x1 - x0;
  const dy = y1 - y0;
  let t0 = 0;
  let t1 = 1;
  // each side: p < 0 where the line enters, p > 0 where it leaves, t = q / p
  for (let side = 0; side < 4; side++) {
    const p = side === 0 ? -dx : side === 1 ? dx : side === 2 ? -dy : dy;
    const q = side === 0 ? x0 - xmin : side === 1 ? xmax - x0 : side === 2 ? y0 - ymin : ymax - y0;
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const t = q / p;
    if (p < 0) {
      if (t > t1) return false;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return false;
      if (t < t1) t1 = t;
    }
  }
  out[0] = x0 + t0 * dx;
  out[1] = y0 + t0 * dy;
  out[2] = x0 + t1 * dx;
  out[3] = y0 + t1 * dy;
  return true;
}

/** Links of one look as the rasteriser draws them: model coordinates x1, y1, x2, y2 per link. */
export interface RasterGroup {
  rgb: readonly [number, number, number];
  dashed: boolean;
  coords: Float32Array;
}

/** A dashed link's dash and gap, in pixels. */
export const DASH: readonly [number, number] = [4, 3];

/** Draws each group, one look after the other, at `zoom` and `pan` (device pixels) into a begun picture; returns the links drawn. */
export function rasterGroups(r: LineRaster, groups: readonly RasterGroup[], zoom: number, panX: number, panY: number): number {
  let segments = 0;
  for (const g of groups) {
    const dash = g.dashed ? DASH : null;
    const c = g.coords;
    for (let i = 0; i < c.length; i += 4)
      r.line((c[i] as number) * zoom + panX, (c[i + 1] as number) * zoom + panY, (c[i + 2] as number) * zoom + panX, (c[i + 3] as number) * zoom + panY, dash);
    r.paint(g.rgb);
    segments += c.length / 4;
  }
  return segments;
}
