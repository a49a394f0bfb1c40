/**
 * What a run leaves on disk: summary.json (fixed key order and number formatting, so the same seed
 * gives the same bytes apart from wall-clock fields), CSV time series and samples, and the report.
 * Files are written into a temporary directory first and moved into place, so `--out` never holds
 * a half-written result.
 */
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Series, SummaryValue } from '../protocols/driver.js';
import type { RunResult } from './runner.js';

/** Keys whose values depend on the wall clock (excluded when comparing runs). */
export const WALL_CLOCK_KEYS = ['wallMs'] as const;

/** A number for JSON: 12 significant digits (no float noise), non-finite as null. */
export function jsonNumber(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  if (Number.isInteger(x)) return x;
  return Number(x.toPrecision(12));
}

function jsonValue(v: SummaryValue): SummaryValue {
  return typeof v === 'number' ? jsonNumber(v) : v;
}

/** The summary object in its fixed key order: the lab's keys, the driver's keys, then wall clock. */
export function summaryObject(r: RunResult): Record<string, SummaryValue> {
  const out: Record<string, SummaryValue> = {
    scenario: r.scenario,
    protocol: r.protocol,
    seed: r.seed,
    peers: r.peers,
    virtualTimeMs: jsonNumber(r.virtualTimeMs),
    endReason: r.endReason,
    events: r.events,
    messages: r.messages,
    bytes: r.bytes,
  };
  for (const [k, v] of Object.entries(r.summary)) if (!(k in out) && k !== 'wallMs') out[k] = jsonValue(v);
  out.wallMs = Math.round(r.wallMs);
  return out;
}

export function summaryJson(r: RunResult): string {
  return `${JSON.stringify(summaryObject(r), null, 2)}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvNumber(x: number): string {
  const j = jsonNumber(x);
  return j === null ? '' : String(j);
}

/** Long format: one row per point, `series,t_ms,value`. */
export function seriesCsv(series: Record<string, Series>): string {
  const lines = ['series,t_ms,value'];
  for (const name of Object.keys(series)) {
    const s = series[name]!;
    const n = Math.min(s.t.length, s.v.length);
    for (let i = 0; i < n; i++) lines.push(`${csvField(name)},${csvNumber(s.t[i]!)},${csvNumber(s.v[i]!)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One row per raw sample, `sample,value` (completion times, lookup latencies, hops...). */
export function samplesCsv(samples: Record<string, number[]>): string {
  const lines = ['sample,value'];
  for (const name of Object.keys(samples)) for (const v of samples[name]!) lines.push(`${csvField(name)},${csvNumber(v)}`);
  return `${lines.join('\n')}\n`;
}

/** Rows of objects to CSV with the given columns. */
export function rowsCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows)
    lines.push(
      columns
        .map((c) => {
          const v = r[c];
          if (typeof v === 'number') return csvNumber(v);
          if (v === null || v === undefined) return '';
          return csvField(String(v));
        })
        .join(','),
    );
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `files` (name -> content) into `dir` all at once: they are written into a temporary
 * directory beside it, then moved in (the directory as a whole if `dir` is new or empty, else file
 * by file, each move atomic). A failure leaves `dir` as it was.
 */
export async function writeResults(dir: string, files: Record<string, string>): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, `.${basename(target)}.partial-`));
  try {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(dirname(join(tmp, name)), { recursive: true });
      await writeFile(join(tmp, name), content);
    }
    let existing: string[] | null = null;
    try {
      existing = await readdir(target);
    } catch {
      existing = null;
    }
    if (existing === null || existing.length === 0) {
      if (existing !== null) await rm(target, { recursive: true });
      await rename(tmp, target);
      return;
    }
    for (const name of Object.keys(files)) {
      await mkdir(dirname(join(target, name)), { recursive: true });
      await rename(join(tmp, name), join(target, name));
    }
    await rm(tmp, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
