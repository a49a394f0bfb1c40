/**
 * What the sharding tests share: the real `peerlab` binary in a child process with the batch engines'
 * variables cleared (the tests may themselves run under one) unless a test sets them, and the
 * comparison of a sweep's outputs apart from their wall-clock parts.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/peerlab.mjs');
export const FIXTURE_DRIVERS = join(ROOT, 'test/lab/fixtures/drivers.ts');

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const ENGINE_VARS = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_COUNT', 'PEERLAB'];

export function cleanEnv(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  for (const k of ENGINE_VARS) delete e[k];
  return e;
}

/** Runs `file args` from the repository root; resolves with the exit code and output. */
export function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((done) => {
    execFile(file, args, { cwd: ROOT, env: { ...cleanEnv(), ...env }, timeout: 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

export const peerlab = (args: string[], env: Record<string, string> = {}): Promise<Ran> => run(process.execPath, [BIN, ...args], env);

/** A sweep output file without its wall-clock parts: sweep.json's `wallMs`, runs.csv's wallMs column, the report's "wall" fact. */
export function withoutWall(name: string, text: string): string {
  if (name === 'sweep.json') {
    const o = JSON.parse(text) as Record<string, unknown>;
    expect(typeof o.wallMs).toBe('number');
    delete o.wallMs;
    return JSON.stringify(o, null, 2);
  }
  if (name === 'runs.csv') {
    const rows = text.trimEnd().split('\n').map((l) => l.split(','));
    const col = rows[0]!.indexOf('wallMs');
    expect(col).toBeGreaterThan(0);
    return rows.map((r) => r.filter((_, i) => i !== col).join(',')).join('\n');
  }
  if (name === 'report.html') {
    const wall = /<span>wall<\/span> <b>[^<]*<\/b>/g;
    expect((text.match(wall) ?? []).length).toBe(1);
    return text.replace(wall, '<span>wall</span> <b>-</b>');
  }
  return text;
}

export const SWEEP_FILES = ['sweep.json', 'runs.csv', 'aggregate.csv', 'report.html'];
