/** Virtual time for the clock: `12.345 s`, `3 min 05.2 s`. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 60_000) return `${(ms / 1000).toFixed(3)} s`;
  const min = Math.floor(ms / 60_000);
  const s = (ms - min * 60_000) / 1000;
  return `${min} min ${s.toFixed(1).padStart(4, '0')} s`;
}

/** Counters: 12 345, 1.2 M, 3.4 MB. */
export function formatCount(n: number): string {
  if (Math.abs(n) >= 1e7) return `${(n / 1e6).toFixed(1)} M`;
  return Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatValue(v: number | string | boolean | null): string {
  if (v === null) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? formatCount(v) : v.toPrecision(4);
  return String(v);
}
