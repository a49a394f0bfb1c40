/**
 * Units a scenario author writes by hand: durations (`250ms`, `60s`, `10m`, `1.5h`, or a number of
 * milliseconds), byte sizes (`16KiB`, `4MB`, or a number of bytes) and rates (`10Mbit/s`, `1.5MB/s`,
 * or a number of bytes per second). Parsers return null for text they do not understand, so the
 * schema can say which key is wrong.
 */

const DURATION = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(ms|s|m|min|h|d)?\s*$/i;
const DURATION_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from `250ms`, `60s`, `10m`, `1.5h`, `2d` or a plain number (ms). */
export function parseDuration(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = DURATION.exec(v);
  if (!m) return null;
  const unit = (m[2] ?? 'ms').toLowerCase();
  const ms = Number(m[1]) * DURATION_UNIT[unit]!;
  return Number.isFinite(ms) ? ms : null;
}

const SIZE = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i;
const SIZE_UNIT: Record<string, number> = {
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
};

/** Bytes from `512`, `16KiB`, `4MB`, `1GiB`. */
export function parseSize(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = SIZE.exec(v);
  if (!m) return null;
  return Number(m[1]) * SIZE_UNIT[(m[2] ?? 'b').toLowerCase()]!;
}

const RATE = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|bit|kbit|mbit|gbit)(?:\/s|ps)?\s*$/i;
const RATE_UNIT: Record<string, number> = {
  ...SIZE_UNIT,
  bit: 1 / 8,
  kbit: 1e3 / 8,
  mbit: 1e6 / 8,
  gbit: 1e9 / 8,
};

/** Bytes per second from `10Mbit/s`, `1.5MB/s`, `100kbps`, `inf`, or a number (bytes/s). */
export function parseRate(v: unknown): number | null {
  if (typeof v === 'number') return v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  if (/^\s*(inf|infinity|unlimited)\s*$/i.test(v)) return Infinity;
  // `kbps`, `Mbps`: bits per second, as network people write it
  const bps = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([kmg]?)bps\s*$/i.exec(v);
  if (bps) {
    const r = (Number(bps[1]) * { '': 1, k: 1e3, m: 1e6, g: 1e9 }[bps[2]!.toLowerCase()]!) / 8;
    return r > 0 ? r : null;
  }
  const m = RATE.exec(v);
  if (!m) return null;
  const r = Number(m[1]) * RATE_UNIT[m[2]!.toLowerCase()]!;
  return r > 0 ? r : null;
}

/** `12.3 s`, `850 ms`, `4.2 min` for reports and the terminal. */
export function formatDuration(ms: number, digits = 3): string {
  if (!Number.isFinite(ms)) return String(ms);
  const a = Math.abs(ms);
  if (a < 1000) return `${round(ms, digits)} ms`;
  if (a < 120_000) return `${round(ms / 1000, digits)} s`;
  if (a < 7_200_000) return `${round(ms / 60_000, digits)} min`;
  return `${round(ms / 3_600_000, digits)} h`;
}

/** `1.5 MB`, `320 kB` */
export function formatBytes(b: number, digits = 3): string {
  if (!Number.isFinite(b)) return String(b);
  const a = Math.abs(b);
  if (a < 1e3) return `${round(b, digits)} B`;
  if (a < 1e6) return `${round(b / 1e3, digits)} kB`;
  if (a < 1e9) return `${round(b / 1e6, digits)} MB`;
  return `${round(b / 1e9, digits)} GB`;
}

/** Rounds to `digits` significant digits (for display only). */
export function round(x: number, digits = 4): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/**
 * Reads unit strings under keys whose name says the unit, so scenario authors can write
 * `roundMs: 200ms`, `startMs: 2s`, `fileSize: 4MiB`, `messageBytes: 16KiB`, `seedUpBps: 20Mbit/s`:
 * `...Ms` and `ms` are durations, `...Bytes`, `...Size`, `...Length` sizes, `...Bps` rates. Numbers pass
 * through; a string that does not parse is reported at its path. Returns a converted copy.
 */
export function convertUnits(v: unknown, path: string, issues: { path: string; problem: string }[]): unknown {
  if (Array.isArray(v)) return v.map((x, i) => convertUnits(x, `${path}[${i}]`, issues));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const at = path ? `${path}.${k}` : k;
    const kind = /(Ms|^ms)$/.test(k) ? 'duration' : /(Bytes|Size|Length)$/.test(k) ? 'size' : /Bps$/.test(k) ? 'rate' : null;
    if (kind !== null && typeof x === 'string') {
      const parsed = kind === 'duration' ? parseDuration(x) : kind === 'size' ? parseSize(x) : parseRate(x);
      if (parsed === null) {
        const eg = kind === 'duration' ? '250ms, 30s, 10m' : kind === 'size' ? '16KiB, 4MB, 1GiB' : '10Mbit/s, 1.5MB/s';
        issues.push({ path: at, problem: `expected a ${kind} such as ${eg} or a number, got ${JSON.stringify(x)}` });
        out[k] = x;
      } else out[k] = parsed;
    } else if (kind !== null && Array.isArray(x)) {
      out[k] = x.map((e, i) => {
        if (typeof e !== 'string') return e;
        const parsed = kind === 'duration' ? parseDuration(e) : kind === 'size' ? parseSize(e) : parseRate(e);
        if (parsed === null) issues.push({ path: `${at}[${i}]`, problem: `expected a ${kind}, got ${JSON.stringify(e)}` });
        return parsed ?? e;
      });
    } else out[k] = convertUnits(x, at, issues);
  }
  return out;
}
