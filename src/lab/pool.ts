/**
 * A pool of worker threads (one per core by default) that runs scenario jobs in parallel: sweeps run
 * their grid times seeds on it, `peerlab compare` its whole plan. Each worker loads the TypeScript
 * sources through tsx (src/lab/worker-entry.mjs), so no build step is needed. Results come back in
 * job order whatever order the workers finish in.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { OverlaySnapshot, Series, SummaryValue } from '../protocols/driver.js';
import { logger } from '../core/index.js';
import { ScenarioError, type ScenarioIssue } from './errors.js';

const log = logger('lab:pool');

export interface RunJob {
  /** Scenario text (YAML/JSON) or an already parsed scenario document. */
  input: string | Record<string, unknown>;
  source?: string;
  /** `key.path=value` overrides. */
  set?: string[];
  seed?: number;
  /** What to send back besides the summary (series/samples by name, or 'all'). */
  keep?: { series?: string[] | 'all'; samples?: string[] | 'all'; snapshots?: boolean };
  /** A module exporting `drivers` to use instead of the registry (tests). */
  driversModule?: string;
}

export interface JobResult {
  /** summary.json's object (lab keys, driver keys, wallMs). */
  summary: Record<string, SummaryValue>;
  series: Record<string, Series>;
  samples: Record<string, number[]>;
  snapshots: OverlaySnapshot[];
  positions: Record<number, [number, number]>;
}

export interface WorkerRequest {
  id: number;
  job: RunJob;
}

export type WorkerReply =
  | { id: number; ok: true; result: JobResult }
  | { id: number; ok: false; error: { name: string; message: string; issues?: ScenarioIssue[]; source?: string } };

export interface PoolOptions {
  /** Worker threads; default one per core (and never more than jobs). */
  workers?: number;
  /** Called as each job finishes (in completion order). */
  onResult?: (index: number, result: JobResult, done: number, total: number) => void;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Runs every job on a pool of worker threads; rejects on the first failed job (others are stopped). */
export async function runJobs(jobs: RunJob[], opts: PoolOptions = {}): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  if (jobs.length === 0) return results;
  const count = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), jobs.length));
  const entry = new URL('./worker-entry.mjs', import.meta.url);
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  return new Promise<JobResult[]>((resolve, reject) => {
    let failed = false;
    const stopAll = () => {
      for (const w of workers) void w.terminate();
    };
    const feed = (w: Worker) => {
      if (failed) return;
      if (next >= jobs.length) {
        void w.terminate();
        return;
      }
      const id = next++;
      log.debug(`job ${id + 1}/${jobs.length} to worker ${w.threadId}`);
      w.postMessage({ id, job: jobs[id]! } satisfies WorkerRequest);
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(entry, { stdout: false, stderr: false });
      workers.push(w);
      w.on('message', (reply: WorkerReply) => {
        if (failed) return;
        if (!reply.ok) {
          failed = true;
          stopAll();
          const e = reply.error;
          reject(e.issues ? new ScenarioError(e.issues, e.source) : Object.assign(new Error(`job ${reply.id}: ${e.message}`), { name: e.name }));
          return;
        }
        results[reply.id] = reply.result;
        done++;
        log.debug(`job ${reply.id + 1}/${jobs.length} done (${done} of ${jobs.length})`);
        opts.onResult?.(reply.id, reply.result, done, jobs.length);
        if (done === jobs.length) {
          stopAll();
          resolve(results);
        } else feed(w);
      });
      w.on('error', (e) => {
        if (failed) return;
        failed = true;
        stopAll();
        reject(e);
      });
      w.on('exit', (code) => {
        if (!failed && done < jobs.length && code !== 0 && code !== 1) {
          failed = true;
          stopAll();
          reject(new Error(`a lab worker exited with code ${code}`));
        }
      });
      feed(w);
    }
  });
}
