/**
 * Batch-engine manifests for a sharded sweep (`peerlab sweep ... --emit k8s|slurm --shards N`): the
 * cluster runs the N slices as one array of tasks, each task's index picks its slice (see shard.ts),
 * then one more task merges them. peerlab schedules nothing itself.
 *
 * - Kubernetes: an Indexed Job (completionMode Indexed, completions N; each pod gets
 *   JOB_COMPLETION_INDEX), the scenario (and any churn trace it reads) in a ConfigMap, a
 *   ReadWriteMany claim for the results, a merge Job, and submit.sh to apply them in order.
 * - Slurm: an sbatch job array (`--array=0-(N-1)`; each task gets SLURM_ARRAY_TASK_ID), a merge
 *   script that runs after it (`--dependency=afterok`), and submit.sh. The scenario is read where it
 *   lies (a cluster's shared file system), by its absolute path.
 *
 * Each task runs the same `peerlab sweep` command line with `--shards N` (never a fixed index), so the
 * shards' plans, and so their sweep identity, are equal by construction.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, normalize, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ScenarioError } from './errors.js';
import { parseAssignment, parseText, withOverride } from './scenario.js';
import { ShardError } from './shard.js';
import type { SweepPlan } from './sweep.js';

export type EmitKind = 'k8s' | 'slurm';

export interface EmitOptions {
  kind: EmitKind;
  shards: number;
  /** Folder the manifests are written to (slurm: results and logs go under it too). */
  outDir: string;
  /** Container image (k8s: required; slurm: run through Apptainer if given). */
  image?: string;
  /** Job name; default `peerlab-<scenario name>`. */
  name?: string;
  /** CPUs per shard (requests = limits); the shard's worker threads. Default 1. */
  cpus?: number;
  /** Worker threads per shard; default `cpus`. */
  workers?: number;
  /** Memory per shard, bytes. Default 2 GiB. */
  memoryBytes?: number;
  /** Shards running at once; default all (k8s) / no throttle (slurm). */
  parallelism?: number;
  /** Time limit per shard, ms (k8s activeDeadlineSeconds, slurm --time). Default none. */
  timeMs?: number;
  /** k8s: size of the results claim created (bytes, default 1 GiB), its storage class, or an existing claim to use instead. */
  storageBytes?: number;
  storageClass?: string;
  claim?: string;
  /** Test drivers module, passed on to the shards (tests only). */
  driversModule?: string;
}

/** A DNS-1123 label, as Kubernetes object names and Slurm job names both take. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Room for `-results`, `-scenario`, `-merge` and the pod's index suffix within 63 characters. */
const MAX_NAME = 40;

export function defaultJobName(scenarioName: string): string {
  const slug = scenarioName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `peerlab-${slug}`.slice(0, MAX_NAME).replace(/-+$/, '');
}

/** Single-quoted for sh/bash: safe for any text. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const mib = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024 ** 2));

/** `90m` -> `1:30:00` (Slurm's hours:minutes:seconds, rounded up to the second). */
function slurmTime(ms: number): string {
  const s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** The `peerlab sweep` arguments every task runs (after the command itself). */
export function shardCommand(plan: SweepPlan, scenarioPath: string, shards: number, workers: number, out: string, driversModule?: string): string[] {
  const a = ['sweep', scenarioPath];
  for (const v of plan.vary) a.push('--vary', `${v.path}=${v.texts.join(',')}`);
  a.push('--seeds', String(plan.seeds.length), '--seed', String(plan.seeds[0]));
  for (const s of plan.baseSet) a.push('--set', s);
  if (driversModule) a.push('--drivers-module', driversModule);
  a.push('--shards', String(shards), '--workers', String(workers), '--out', out);
  return a;
}

/** The churn trace files the grid's scenarios read (`churn.traceFile`, as written, after every override). */
export function traceFiles(plan: SweepPlan): string[] {
  const found = new Set<string>();
  const base = parseText(plan.text, plan.source);
  for (const p of plan.points) {
    let raw = base as Record<string, unknown>;
    if (raw === null || typeof raw !== 'object') continue;
    for (const a of [...plan.baseSet, ...p.set]) {
      const { path, value } = parseAssignment(a);
      raw = withOverride(raw, path, value);
    }
    const churn = raw.churn as Record<string, unknown> | undefined;
    if (churn && typeof churn === 'object' && typeof churn.traceFile === 'string') found.add(churn.traceFile);
  }
  return [...found].sort();
}

/** ConfigMaps hold at most 1 MiB; leave room for the object around the data. */
const MAX_CONFIGMAP_BYTES = 1000 * 1024;

function k8s(plan: SweepPlan, scenarioFile: string, o: EmitOptions, name: string): Record<string, string> {
  if (!o.image) throw new ShardError('--emit k8s: give --image IMAGE (the peerlab image the pods run; see the Dockerfile)');
  const cpus = o.cpus ?? 1;
  const workers = o.workers ?? cpus;
  const memory = `${mib(o.memoryBytes ?? 2 * 1024 ** 3)}Mi`;
  const scenarioName = basename(scenarioFile);
  const data: Record<string, string> = { scenario: plan.text };
  const items = [{ key: 'scenario', path: scenarioName }];
  let bytes = Buffer.byteLength(plan.text);
  traceFiles(plan).forEach((tf, i) => {
    const rel = normalize(tf);
    if (isAbsolute(tf) || rel.startsWith('..'))
      throw new ShardError(
        `--emit k8s: churn.traceFile ${JSON.stringify(tf)} must be a path inside the scenario's folder to travel in the ConfigMap (or build it into the image and give an absolute path there with --set)`,
      );
    let text: string;
    try {
      text = readFileSync(resolve(dirname(scenarioFile), rel), 'utf8');
    } catch (e) {
      throw new ShardError(`--emit k8s: churn.traceFile ${JSON.stringify(tf)}: cannot read: ${(e as Error).message}`);
    }
    bytes += Buffer.byteLength(text);
    data[`trace-${i}`] = text;
    items.push({ key: `trace-${i}`, path: rel });
  });
  if (bytes > MAX_CONFIGMAP_BYTES)
    throw new ShardError(
      `--emit k8s: the scenario and its trace files are ${bytes} bytes, more than a ConfigMap holds (~1 MiB); build them into the image instead`,
    );
  const results = `/results/${name}`;
  const labels = { 'app.kubernetes.io/name': 'peerlab', 'app.kubernetes.io/component': 'sweep', 'peerlab.dev/sweep': name };
  const claim = o.claim ?? `${name}-results`;
  const podSecurity = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };
  const containerSecurity = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
  // tsx keeps its compile cache in the temporary folder: the only place written besides /results
  const tmp = { name: 'tmp', emptyDir: {} };
  const container = (args: string[], res: { cpu: string; memory: string }) => ({
    name: 'peerlab',
    image: o.image,
    args,
    resources: { requests: res, limits: res },
    securityContext: containerSecurity,
    volumeMounts: [
      ...(args[1] === 'merge' ? [] : [{ name: 'scenario', mountPath: '/scenario', readOnly: true }]),
      { name: 'results', mountPath: '/results' },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  });
  const docs: unknown[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-scenario`, labels }, data },
  ];
  if (!o.claim)
    docs.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claim, labels },
      spec: {
        // every shard's pod writes its own folder, possibly from different nodes at once
        accessModes: ['ReadWriteMany'],
        ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
        resources: { requests: { storage: `${mib(o.storageBytes ?? 1024 ** 3)}Mi` } },
      },
    });
  docs.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels },
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: Math.min(o.parallelism ?? o.shards, o.shards),
      // a run is deterministic: a failed pod is a crash or an eviction, worth a few retries per shard
      backoffLimit: Math.max(6, o.shards),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(o.timeMs ? { activeDeadlineSeconds: Math.ceil(o.timeMs / 1000) } : {}),
          securityContext: podSecurity,
          containers: [container(shardCommand(plan, `/scenario/${scenarioName}`, o.shards, workers, results, o.driversModule), { cpu: String(cpus), memory })],
          volumes: [
            { name: 'scenario', configMap: { name: `${name}-scenario`, items } },
            { name: 'results', persistentVolumeClaim: { claimName: claim } },
            tmp,
          ],
        },
      },
    },
  });
  const mergeJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${name}-merge`, labels: { ...labels, 'app.kubernetes.io/component': 'merge' } },
    spec: {
      completions: 1,
      backoffLimit: 2,
      template: {
        metadata: { labels: { ...labels, 'app.kubernetes.io/component': 'merge' } },
        spec: {
          restartPolicy: 'Never',
          securityContext: podSecurity,
          containers: [container(['sweep', 'merge', results, '--out', `${results}/merged`], { cpu: '1', memory })],
          volumes: [{ name: 'results', persistentVolumeClaim: { claimName: claim } }, tmp],
        },
      },
    },
  };
  const header = (what: string) =>
    `# ${what}\n# Generated by peerlab sweep --emit k8s (${plan.scenario.name}: ${plan.points.length} grid points x ${plan.seeds.length} seeds in ${o.shards} shards).\n`;
  const yaml = (d: unknown) => stringify(d, { lineWidth: 0 });
  const submit = `#!/usr/bin/env bash
# Runs the sweep ${name} on the current kubectl context (kubectl -n / KUBECONFIG as usual):
# the ${o.shards} shards as an Indexed Job, then the merge into ${results}/merged on the claim ${claim}.
set -euo pipefail
cd "$(dirname "$0")"

wait_job() {
  local state
  while :; do
    state=$(kubectl get job "$1" -o 'jsonpath={.status.conditions[?(@.status=="True")].type}')
    case " $state " in
      *" Complete "*) return 0 ;;
      *" Failed "*) echo "job $1 failed; see: kubectl describe job $1; kubectl logs job/$1" >&2; return 1 ;;
    esac
    sleep 10
  done
}

kubectl apply -f sweep.yaml
wait_job ${name}
kubectl apply -f merge.yaml
wait_job ${name}-merge
echo "merged: ${results}/merged on the claim ${claim} (sweep.json, runs.csv, aggregate.csv, report.html)"
`;
  return {
    'sweep.yaml': header(`The sweep: its scenario, ${o.claim ? `the existing claim ${claim} for results` : 'a claim for results'}, and an Indexed Job of ${o.shards} shards.`) +
      docs.map(yaml).join('---\n'),
    'merge.yaml': header('The merge step: run it once the sweep Job is complete (submit.sh waits for that).') + yaml(mergeJob),
    'submit.sh': submit,
  };
}

function slurm(plan: SweepPlan, scenarioFile: string, o: EmitOptions, name: string): Record<string, string> {
  const cpus = o.cpus ?? 1;
  const workers = o.workers ?? cpus;
  const mem = `${mib(o.memoryBytes ?? 2 * 1024 ** 3)}M`;
  const dir = resolve(o.outDir);
  const scenario = resolve(scenarioFile);
  // #SBATCH lines are not shell words, and % starts Slurm's file-name patterns
  for (const [what, p] of [['--out', dir], ['the scenario', scenario]] as const)
    if (/[\s'"$%`\\]/.test(p)) throw new ShardError(`--emit slurm: ${what} path ${JSON.stringify(p)} has a character a batch script cannot carry safely (space, quote, $, %, \` or \\)`);
  for (const tf of traceFiles(plan)) {
    const p = isAbsolute(tf) ? tf : resolve(dirname(scenario), tf);
    try {
      statSync(p);
    } catch {
      throw new ShardError(`--emit slurm: churn.traceFile ${JSON.stringify(tf)} (${p}) does not exist; every task reads it where it lies`);
    }
  }
  const results = `${dir}/results`;
  const runner = o.image
    ? o.image.endsWith('.sif')
      ? `apptainer run ${resolve(o.image)}`
      : `apptainer run docker://${o.image}`
    : 'peerlab';
  const preamble = (lines: string[]) => ['#!/bin/bash', ...lines.map((l) => `#SBATCH ${l}`)].join('\n');
  const common = [`--mem=${mem}`, ...(o.timeMs ? [`--time=${slurmTime(o.timeMs)}`] : []), `--chdir=${dir}`];
  const cmd = (args: string[]) => `"\${peerlab[@]}" ${args.map(shellQuote).join(' ')}`;
  const runnerLine = `# the peerlab command: PEERLAB overrides it (e.g. PEERLAB="node /path/to/peerlab/bin/peerlab.mjs")
read -r -a peerlab <<< "\${PEERLAB:-${runner}}"`;
  const sweep = `${preamble([
    `--job-name=${name}`,
    `--array=0-${o.shards - 1}${o.parallelism && o.parallelism < o.shards ? `%${o.parallelism}` : ''}`,
    `--cpus-per-task=${cpus}`,
    ...common,
    `--output=${dir}/logs/%x-%A_%a.out`,
  ])}
# One shard of the sweep ${plan.scenario.name} (${plan.points.length} grid points x ${plan.seeds.length} seeds in ${o.shards} shards):
# the task's SLURM_ARRAY_TASK_ID picks the slice; its results go to ${results}/shard-I-of-${o.shards}.
# Generated by peerlab sweep --emit slurm; submit with submit.sh.
set -euo pipefail
${runnerLine}
${cmd(shardCommand(plan, scenario, o.shards, workers, results, o.driversModule))}
`;
  const merge = `${preamble([`--job-name=${name}-merge`, '--cpus-per-task=1', ...common, `--output=${dir}/logs/%x-%j.out`])}
# Merges the shards of ${name} into ${dir}/merged (submit.sh queues it after every shard succeeded).
set -euo pipefail
${runnerLine}
${cmd(['sweep', 'merge', results, '--out', `${dir}/merged`])}
`;
  const submit = `#!/usr/bin/env bash
# Queues the ${o.shards} shards of ${name} as a job array, and the merge to run once all of them succeeded.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p logs
jid=$(sbatch --parsable sweep.sbatch)
jid=\${jid%%;*}
sbatch --dependency=afterok:"$jid" merge.sbatch
echo "queued: array job $jid (${o.shards} shards), then the merge into ${dir}/merged"
`;
  return { 'sweep.sbatch': sweep, 'merge.sbatch': merge, 'submit.sh': submit };
}

/** The manifests' files (name -> content). Checks the options; the plan is already validated. */
export function emitManifests(plan: SweepPlan, scenarioFile: string, o: EmitOptions): Record<string, string> {
  const jobs = plan.points.length * plan.seeds.length;
  if (o.shards > jobs) throw new ShardError(`--shards ${o.shards}: the sweep has only ${jobs} runs; give at most ${jobs} shards`);
  const name = o.name ?? defaultJobName(plan.scenario.name);
  if (!NAME.test(name) || name.length > MAX_NAME)
    throw new ShardError(`--name ${JSON.stringify(name)}: expected lower-case letters, digits and '-', starting and ending alphanumeric, at most ${MAX_NAME} characters`);
  if (o.image !== undefined && !/^[\w./:@-]{1,255}$/.test(o.image))
    throw new ShardError(`--image ${JSON.stringify(o.image)}: expected an image reference such as registry.example.org/peerlab:1.0`);
  if (o.claim !== undefined && !NAME.test(o.claim)) throw new ShardError(`--claim ${JSON.stringify(o.claim)}: expected a Kubernetes object name`);
  if (o.storageClass !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.storageClass))
    throw new ShardError(`--storage-class ${JSON.stringify(o.storageClass)}: expected a Kubernetes object name`);
  try {
    return o.kind === 'k8s' ? k8s(plan, scenarioFile, o, name) : slurm(plan, scenarioFile, o, name);
  } catch (e) {
    if (e instanceof ScenarioError) throw new ShardError(`--emit ${o.kind}: ${e.message}`);
    throw e;
  }
}
