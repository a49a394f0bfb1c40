// The link layer's JS line rasteriser (renderer/src/graph/raster.ts): where a line's coverage goes,
// that it never exceeds full, how looks composite, clipping, dashes and bad coordinates.
import { describe, expect, it } from 'vitest';
import { clip, LineRaster, rasterGroups } from '../../renderer/src/graph/raster.js';

const W = 40;
const H = 30;
/** [alpha, r, g, b] of a pixel. */
const at = (r: LineRaster, x: number, y: number): [number, number, number, number] => {
  const p = r.pixels[y * r.width + x] as number;
  return [p >>> 24, p & 255, (p >> 8) & 255, (p >> 16) & 255];
};
const alphaRow = (r: LineRaster, y: number): number[] => Array.from({ length: r.width }, (_, x) => at(r, x, y)[0]);

describe('LineRaster', () => {
  it('a line through pixel centres covers its row fully, in its colour, and nothing beside it', () => {
    const r = new LineRaster();
    r.begin(W, H);
    r.line(5, 10.5, 20, 10.5);
    r.paint([10, 20, 30]);
    for (let x = 5; x <= 20; x++) expect(at(r, x, 10)).toEqual([255, 10, 20, 30]);
    expect(at(r, 4, 10)[0]).toBe(0);
    expect(at(r, 21, 10)[0]).toBe(0);
    expect(alphaRow(r, 9).every((a) => a === 0)).toBe(true);
    expect(alphaRow(r, 11).every((a) => a === 0)).toBe(true);
  });

  it('a line between two rows splits its coverage between them (Wu), and a steep line does so across columns', () => {
    const r = new LineRaster();
    r.begin(W, H);
    r.line(5, 10, 20, 10);
    r.paint([0, 0, 0]);
    const [a9, a10] = [at(r, 12, 9)[0], at(r, 12, 10)[0]];
    expect(a9 + a10).toBeGreaterThanOrEqual(254);
    expect(Math.abs(a9 - a10)).toBeLessThanOrEqual(2);
    r.begin(W, H);
    r.line(7.25, 3, 7.25, 25);
    r.paint([0, 0, 0]);
    // centre 7.25: three quarters on column 7, one quarter on column 6
    expect(at(r, 7, 12)[0]).toBeGreaterThan(185);
    expect(at(r, 7, 12)[0]).toBeLessThan(196);
    expect(at(r, 6, 12)[0]).toBeGreaterThan(59);
    expect(at(r, 6, 12)[0]).toBeLessThan(70);
  });

  it('coverage adds as drawing over: two half lines give 3/4, a hub of 300 lines stays full, never wraps', () => {
    const r = new LineRaster();
    r.begin(W, H);
    r.line(5, 10, 20, 10);
    r.line(5, 10, 20, 10);
    r.paint([0, 0, 0]);
    expect(at(r, 12, 10)[0]).toBeGreaterThan(185);
    expect(at(r, 12, 10)[0]).toBeLessThan(196);
    r.begin(W, H);
    for (let i = 0; i < 300; i++) r.line(20.5, 15.5, 20.5 + 15 * Math.cos(i), 15.5 + 12 * Math.sin(i));
    r.paint([1, 2, 3]);
    expect(at(r, 20, 15)).toEqual([255, 1, 2, 3]);
  });

  it('a later look is drawn over an earlier one (source-over), and each look starts from no coverage', () => {
    const r = new LineRaster();
    r.begin(W, H);
    r.line(2, 5.5, 30, 5.5);
    r.paint([200, 200, 200]);
    r.line(10, 5.5, 12, 5.5);
    r.paint([255, 0, 0]);
    expect(at(r, 11, 5)).toEqual([255, 255, 0, 0]);
    expect(at(r, 20, 5)).toEqual([255, 200, 200, 200]);
    // half coverage of red over full grey: opaque, halfway between
    r.line(16, 6, 18, 6);
    r.paint([0, 0, 0]);
    const [a, red] = at(r, 17, 5);
    expect(a).toBe(255);
    expect(red).toBeGreaterThan(95);
    expect(red).toBeLessThan(106);
    // a new picture is blank
    r.begin(W, H);
    expect(r.pixels.every((p) => p === 0)).toBe(true);
  });

  it('clips lines to the picture: a line a million pixels long draws only its visible row', () => {
    const r = new LineRaster();
    r.begin(W, H);
    r.line(-1e6, 12.5, 1e6, 12.5);
    r.line(-1e6, -1e6, -5, -5); // entirely outside
    r.line(Number.NaN, 3, 10, 3);
    r.line(3, 3, Infinity, 3);
    r.paint([0, 0, 0]);
    const row = alphaRow(r, 12);
    expect(row.slice(1, W - 1).every((a) => a === 255)).toBe(true);
    expect(r.pixels.filter((p) => p !== 0).length).toBe(W - 2);
    const out = new Float64Array(4);
    expect(clip(-10, 5, 10, 5, 0, 0, 4, 8, out)).toBe(true);
    expect([...out]).toEqual([0, 5, 4, 5]);
    expect(clip(-10, 9, 10, 9, 0, 0, 4, 8, out)).toBe(false);
    expect(clip(2, -10, 2, 10, 0, 0, 4, 8, out)).toBe(true);
    expect([...out]).toEqual([2, 0, 2, 8]);
  });

  it('dashes: 4 pixels on, 3 off along the line', () => {
    const r = new LineRaster();
    r.begin(W, H);
    r.line(1, 10.5, 35, 10.5, [4, 3]);
    r.paint([0, 0, 0]);
    const on = alphaRow(r, 10).slice(1, 36).map((a) => (a > 0 ? 1 : 0)).join('');
    expect(on).toBe('11110001111000111100011110001111000');
  });

  it('draws into a buffer it is handed (as the link worker does) the same picture, starting blank; a buffer of another size is refused', () => {
    const lines = seededLines(7, 60);
    const own = new LineRaster();
    own.begin(W, H);
    for (const l of lines) own.line(l[0], l[1], l[2], l[3]);
    own.paint([10, 20, 30]);
    const given = new LineRaster();
    const target = new Uint32Array(W * H).fill(0xdeadbeef);
    given.begin(W, H, target);
    for (const l of lines) given.line(l[0], l[1], l[2], l[3]);
    given.paint([10, 20, 30]);
    expect(given.pixels).toBe(target);
    expect([...target]).toEqual([...own.pixels]);
    expect(() => given.begin(W, H, new Uint32Array(W * H - 1))).toThrow(/holds 1199 pixels, not 40x30/);
  });

  it('rasterGroups draws each look in turn at the viewport, dashed where asked, and counts the links', () => {
    const a = new LineRaster();
    a.begin(W, H);
    const n = rasterGroups(
      a,
      [
        { rgb: [200, 200, 200], dashed: false, coords: Float32Array.from([0, 0, 10, 5, 3, 3, 3, 12]) },
        { rgb: [255, 0, 0], dashed: true, coords: Float32Array.from([1, 8, 15, 8]) },
      ],
      2,
      1.5,
      -0.5,
    );
    expect(n).toBe(3);
    const b = new LineRaster();
    b.begin(W, H);
    b.line(1.5, -0.5, 21.5, 9.5);
    b.line(7.5, 5.5, 7.5, 23.5);
    b.paint([200, 200, 200]);
    b.line(3.5, 15.5, 31.5, 15.5, [4, 3]);
    b.paint([255, 0, 0]);
    expect([...a.pixels]).toEqual([...b.pixels]);
  });

  it('the solid loops (one per major axis) draw what the general dashed loop draws with a dash longer than any line', () => {
    const lines = seededLines(11, 400);
    const solid = new LineRaster();
    solid.begin(W, H);
    for (const l of lines) solid.line(l[0], l[1], l[2], l[3]);
    solid.paint([0, 0, 0]);
    const general = new LineRaster();
    general.begin(W, H);
    for (const l of lines) general.line(l[0], l[1], l[2], l[3], [1e9, 1]);
    general.paint([0, 0, 0]);
    expect(solid.pixels.some((p) => p >>> 24 > 0 && p >>> 24 < 255)).toBe(true);
    expect([...solid.pixels]).toEqual([...general.pixels]);
  });
});

/** `count` lines with ends scattered over and around the picture (some outside it), from a seed. */
function seededLines(seed: number, count: number): [number, number, number, number][] {
  let x = seed;
  const rnd = (): number => (x = (x * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: count }, () => [rnd() * (W + 20) - 10, rnd() * (H + 20) - 10, rnd() * (W + 20) - 10, rnd() * (H + 20) - 10]);
}
