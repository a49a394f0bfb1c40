/**
 * The body of a lab worker thread: runs scenario jobs posted by the pool (src/lab/pool.ts) and posts
 * back their results, trimmed to what the caller asked to keep.
 */
import { parentPort } from 'node:worker_threads';
import type { ProtocolDriver } from '../protocols/driver.js';
import { ScenarioError } from './errors.js';
import { scenarioFromText } from './load.js';
import type { JobResult, RunJob, WorkerReply, WorkerRequest } from './pool.js';
import { runScenario } from './runner.js';
import { summaryObject } from './output.js';

const driverModules = new Map<string, Record<string, ProtocolDriver>>();

async function driversFor(job: RunJob): Promise<Record<string, ProtocolDriver> | undefined> {
  if (!job.driversModule) return undefined;
  let d = driverModules.get(job.driversModule);
  if (!d) {
    d = ((await import(job.driversModule)) as { drivers: Record<string, ProtocolDriver> }).drivers;
    driverModules.set(job.driversModule, d);
  }
  return d;
}

export async function runJob(job: RunJob): Promise<JobResult> {
  const drivers = await driversFor(job);
  const opts = { set: job.set ?? [], ...(job.seed !== undefined ? { seed: job.seed } : {}), ...(drivers ? { drivers } : {}) };
  const scenario =
    typeof job.input === 'string'
      ? scenarioFromText(job.input, job.source ?? '<sweep>', opts)
      : scenarioFromText(JSON.stringify(job.input), job.source ?? '<compare>', opts);
  const r = runScenario(scenario, drivers ? { drivers } : {});
  const keep = job.keep ?? {};
  const pick = <T>(all: Record<string, T>, names: string[] | 'all' | undefined): Record<string, T> => {
    if (names === 'all') return all;
    const out: Record<string, T> = {};
    for (const n of names ?? []) if (all[n] !== undefined) out[n] = all[n] as T;
    return out;
  };
  return {
    summary: summaryObject(r),
    series: pick(r.series, keep.series),
    samples: pick(r.samples, keep.samples),
    snapshots: keep.snapshots ? r.snapshots : [],
    positions: keep.snapshots ? r.positions : {},
  };
}

const port = parentPort;
if (port) {
  port.on('message', (req: WorkerRequest) => {
    runJob(req.job).then(
      (result) => port.postMessage({ id: req.id, ok: true, result } satisfies WorkerReply),
      (e: unknown) => {
        const err = e as Error;
        port.postMessage({
          id: req.id,
          ok: false,
          error: { name: err.name, message: err.message, ...(e instanceof ScenarioError ? { issues: e.issues, source: e.source } : {}) },
        } satisfies WorkerReply);
      },
    );
  });
}
