/**
 * `peerlab sweep --emit k8s|slurm`: the Kubernetes manifests parse as YAML and hold what an Indexed Job
 * needs; the Slurm scripts pass `bash -n` and use `--array=0-(N-1)`. Neither engine runs here, so each
 * manifest's own command lines are then run as its engine would run them: the Job's container
 * arguments once per JOB_COMPLETION_INDEX with the ConfigMap and claim mapped to local folders, the
 * sbatch script once per SLURM_ARRAY_TASK_ID, then each merge step; the merged sweep equals an
 * unsharded run apart from wall times. The scenario reads a churn trace from a subfolder, so the
 * ConfigMap must carry it at the right path.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { BIN, FIXTURE_DRIVERS as DRIVERS, peerlab, run as spawnDone, SWEEP_FILES, withoutWall } from './sweep-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'peerlab-manifests-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// the scenario and its trace, as a user keeps them: sub/s.yaml reading sub/traces/t.txt
const SRC = join(tmp, 'src');
mkdirSync(join(SRC, 'traces'), { recursive: true });
const TRACE = '0 0 1500 graceful\n1 300 4000\n2 0 inf\n3 1000 -\n';
const SCENARIO_TEXT = `name: Traced Flood!
peers: 8
churn:
  traceFile: traces/t.txt
network: { latency: { model: geo } }
protocol: { type: flood, fanout: 2 }
until: 5s
`;
writeFileSync(join(SRC, 'traces', 't.txt'), TRACE);
writeFileSync(join(SRC, 's.yaml'), SCENARIO_TEXT);
const GRID = ['--vary', 'protocol.fanout=1,2', '--seeds', '3', '--set', 'network.loss=0.05', '--drivers-module', DRIVERS];

/** Runs the unsharded sweep of `scenario` and expects `merged` to hold the same four files. */
async function expectSameAsUnsharded(scenario: string, merged: string, label: string): Promise<void> {
  const full = join(tmp, `full-${label}`);
  const r = await peerlab(['sweep', scenario, ...GRID, '--workers', '1', '--out', full]);
  expect(r.code, r.stderr).toBe(0);
  for (const name of SWEEP_FILES)
    expect(withoutWall(name, readFileSync(join(merged, name), 'utf8')), `${label} ${name}`).toBe(withoutWall(name, readFileSync(join(full, name), 'utf8')));
  // the churn trace was read: peers 0 and 1 leave, so not everyone is online at the end
  const sweep = JSON.parse(readFileSync(join(merged, 'sweep.json'), 'utf8')) as { runs: unknown[] };
  expect(sweep.runs).toHaveLength(6);
}

interface K8sDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec: Record<string, unknown>;
}
interface PodSpec {
  restartPolicy: string;
  activeDeadlineSeconds?: number;
  securityContext: Record<string, unknown>;
  containers: {
    name: string;
    image: string;
    args: string[];
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    securityContext: Record<string, unknown>;
    volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  }[];
  volumes: { name: string; configMap?: { name: string; items: { key: string; path: string }[] }; persistentVolumeClaim?: { claimName: string }; emptyDir?: object }[];
}

function yamlDocs(path: string): K8sDoc[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) expect(d.errors, path).toEqual([]);
  return list.map((d) => d.toJS() as K8sDoc);
}

const bashN = (path: string) => execFileSync('bash', ['-n', path], { stdio: 'pipe' });

describe('--emit k8s', () => {
  const out = join(tmp, 'k8s');
  let docs: K8sDoc[];
  let job: K8sDoc;
  let pod: PodSpec;

  beforeAll(async () => {
    const r = await peerlab([
      'sweep', join(SRC, 's.yaml'), ...GRID, '--emit', 'k8s', '--shards', '3', '--image', 'registry.example.org/lab/peerlab:1.2',
      '--cpus', '2', '--memory', '3Gi', '--parallelism', '2', '--time', '90m', '--storage', '5Gi', '--storage-class', 'nfs-client', '--out', out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/6 runs in 3 shards for Kubernetes/);
    docs = yamlDocs(join(out, 'sweep.yaml'));
    job = docs.find((d) => d.kind === 'Job') as K8sDoc;
    pod = (job.spec.template as { spec: PodSpec }).spec;
  });

  it('writes the ConfigMap, the claim and an Indexed Job with every field it needs', () => {
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'PersistentVolumeClaim', 'Job']);
    const name = 'peerlab-traced-flood';
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.metadata.name).toBe(name);
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 2 });
    expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(3);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.activeDeadlineSeconds).toBe(5400);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 1000 });
    const c = pod.containers[0]!;
    expect(c.image).toBe('registry.example.org/lab/peerlab:1.2');
    expect(c.resources).toEqual({ requests: { cpu: '2', memory: '3072Mi' }, limits: { cpu: '2', memory: '3072Mi' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    // the index comes from the Job (JOB_COMPLETION_INDEX), never a fixed --shard
    expect(c.args).toContain('--shards');
    expect(c.args[c.args.indexOf('--shards') + 1]).toBe('3');
    expect(c.args).not.toContain('--shard');
    expect(c.args[c.args.indexOf('--workers') + 1]).toBe('2');
    expect(c.args.slice(0, 2)).toEqual(['sweep', '/scenario/s.yaml']);
    expect(c.args[c.args.indexOf('--out') + 1]).toBe(`/results/${name}`);
    // volumes: scenario (with the trace at its relative path), results claim, a writable /tmp
    const cm = docs[0]!;
    expect(cm.metadata.name).toBe(`${name}-scenario`);
    expect(cm.data?.scenario).toBe(SCENARIO_TEXT);
    expect(cm.data?.['trace-0']).toBe(TRACE);
    const vol = (n: string) => pod.volumes.find((v) => v.name === n);
    expect(vol('scenario')?.configMap).toEqual({ name: `${name}-scenario`, items: [{ key: 'scenario', path: 's.yaml' }, { key: 'trace-0', path: 'traces/t.txt' }] });
    expect(vol('results')?.persistentVolumeClaim).toEqual({ claimName: `${name}-results` });
    expect(vol('tmp')?.emptyDir).toEqual({});
    expect(c.volumeMounts.map((m) => m.mountPath).sort()).toEqual(['/results', '/scenario', '/tmp']);
    const pvc = docs[1]!;
    expect(pvc.metadata.name).toBe(`${name}-results`);
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteMany'], storageClassName: 'nfs-client', resources: { requests: { storage: '5120Mi' } } });
  });

  it('writes the merge Job and a submit.sh that bash accepts', () => {
    const [merge] = yamlDocs(join(out, 'merge.yaml'));
    expect(merge?.kind).toBe('Job');
    expect(merge?.metadata.name).toBe('peerlab-traced-flood-merge');
    const spec = (merge?.spec.template as { spec: PodSpec }).spec;
    expect(spec.containers[0]?.args).toEqual(['sweep', 'merge', '/results/peerlab-traced-flood', '--out', '/results/peerlab-traced-flood/merged']);
    expect(spec.volumes.find((v) => v.name === 'results')?.persistentVolumeClaim?.claimName).toBe('peerlab-traced-flood-results');
    bashN(join(out, 'submit.sh'));
    expect(statSync(join(out, 'submit.sh')).mode & 0o111).not.toBe(0);
    const submit = readFileSync(join(out, 'submit.sh'), 'utf8');
    expect(submit.indexOf('kubectl apply -f sweep.yaml')).toBeLessThan(submit.indexOf('kubectl apply -f merge.yaml'));
  });

  it("the Job's own command, run once per JOB_COMPLETION_INDEX, then the merge Job's, equals the unsharded sweep", async () => {
    // what the kubelet would mount: the ConfigMap's items at their paths, the claim as a folder
    const mounts = { '/scenario': join(tmp, 'k8s-scenario'), '/results': join(tmp, 'k8s-results') };
    const cm = docs[0]!;
    for (const item of pod.volumes.find((v) => v.name === 'scenario')!.configMap!.items) {
      const p = join(mounts['/scenario'], item.path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, cm.data?.[item.key] as string);
    }
    const local = (args: string[]) => args.map((a) => a.replace(/^\/(scenario|results)(?=\/|$)/, (m) => mounts[m as '/scenario' | '/results']));
    const args = local(pod.containers[0]!.args);
    const runs = await Promise.all([0, 1, 2].map((i) => peerlab(args, { JOB_COMPLETION_INDEX: String(i) })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const [merge] = yamlDocs(join(out, 'merge.yaml'));
    const m = await peerlab(local((merge?.spec.template as { spec: PodSpec }).spec.containers[0]!.args));
    expect(m.code, m.stderr).toBe(0);
    await expectSameAsUnsharded(join(mounts['/scenario'], 's.yaml'), join(mounts['/results'], 'peerlab-traced-flood', 'merged'), 'k8s');
  });

  it('refuses what it cannot emit', async () => {
    const base = ['sweep', join(SRC, 's.yaml'), ...GRID, '--emit', 'k8s'];
    const abs = join(tmp, 'abs.yaml');
    writeFileSync(abs, SCENARIO_TEXT.replace('traces/t.txt', join(SRC, 'traces', 't.txt')));
    const cases: [string[], RegExp][] = [
      [['--shards', '3'], /--emit k8s: give --image IMAGE/],
      [['--shards', '7', '--image', 'x'], /--shards 7: the sweep has only 6 runs; give at most 6 shards/],
      [['--image', 'x'], /--emit k8s: give --shards N/],
      [['--shards', '3', '--image', 'x', '--name', 'Bad_Name'], /--name "Bad_Name": expected lower-case letters/],
      [['--shards', '3', '--image', 'x', '--memory', 'lots'], /--memory: expected a size such as 2Gi/],
      [['--shards', '3', '--image', 'x y'], /--image "x y": expected an image reference/],
      [['--shards', '3', '--image', 'x', '--time', 'soon'], /--time: expected a duration/],
      [['--shard', '0/3', '--image', 'x'], /--emit writes every shard: give --shards N, not --shard I\/N/],
    ];
    const rs = await Promise.all(cases.map(([extra], i) => peerlab([...base, ...extra, '--out', join(tmp, `k8s-bad-${i}`)])));
    rs.forEach((r, i) => {
      expect(r.code, cases[i]![1].source).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
      expect(existsSync(join(tmp, `k8s-bad-${i}`))).toBe(false);
    });
    const a = await peerlab(['sweep', abs, ...GRID, '--emit', 'k8s', '--shards', '2', '--image', 'x', '--out', join(tmp, 'k8s-abs')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/churn\.traceFile ".*t\.txt" must be a path inside the scenario's folder/);
  });
});

describe('--emit slurm', () => {
  const out = join(tmp, 'slurm');

  beforeAll(async () => {
    const r = await peerlab(['sweep', join(SRC, 's.yaml'), ...GRID, '--emit', 'slurm', '--shards', '3', '--cpus', '1', '--memory', '1GiB', '--time', '2h', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('writes an sbatch array of N tasks, a merge script and submit.sh, all passing bash -n', () => {
    for (const f of ['sweep.sbatch', 'merge.sbatch', 'submit.sh']) bashN(join(out, f));
    const s = readFileSync(join(out, 'sweep.sbatch'), 'utf8');
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    expect(s).toMatch(/^#SBATCH --array=0-2$/m);
    expect(s).toMatch(/^#SBATCH --cpus-per-task=1$/m);
    expect(s).toMatch(/^#SBATCH --mem=1024M$/m);
    expect(s).toMatch(/^#SBATCH --time=2:00:00$/m);
    expect(s).toMatch(new RegExp(`^#SBATCH --output=${out}/logs/%x-%A_%a\\.out$`, 'm'));
    expect(s).toContain("'--shards' '3'");
    expect(s).not.toContain("'--shard' ");
    expect(readFileSync(join(out, 'merge.sbatch'), 'utf8')).toContain(`'sweep' 'merge' '${out}/results' '--out' '${out}/merged'`);
  });

  it('--parallelism throttles the array, --image runs it through Apptainer', async () => {
    const o2 = join(tmp, 'slurm2');
    const r = await peerlab(['sweep', join(SRC, 's.yaml'), ...GRID, '--emit', 'slurm', '--shards', '6', '--parallelism', '2', '--image', 'ghcr.io/x/peerlab:1', '--out', o2]);
    expect(r.code, r.stderr).toBe(0);
    const s = readFileSync(join(o2, 'sweep.sbatch'), 'utf8');
    expect(s).toMatch(/^#SBATCH --array=0-5%2$/m);
    expect(s).toContain('${PEERLAB:-apptainer run docker://ghcr.io/x/peerlab:1}');
    bashN(join(o2, 'sweep.sbatch'));
  });

  it('each task of the array, then the merge, equals the unsharded sweep', async () => {
    // sbatch would run the script once per task with SLURM_ARRAY_TASK_ID set; PEERLAB points it at this checkout
    const env = { PEERLAB: `${process.execPath} ${BIN}`, SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '3' };
    const runs = await Promise.all([0, 1, 2].map((i) => spawnDone('bash', [join(out, 'sweep.sbatch')], { ...env, SLURM_ARRAY_TASK_ID: String(i) })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const m = await spawnDone('bash', [join(out, 'merge.sbatch')], env);
    expect(m.code, m.stderr).toBe(0);
    await expectSameAsUnsharded(join(SRC, 's.yaml'), join(out, 'merged'), 'slurm');
  });

  it('submit.sh queues the merge after the whole array (sbatch stands in: Slurm cannot run here)', async () => {
    const bin = join(tmp, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    const log = join(tmp, 'sbatch.log');
    writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\necho "$*" >> ${log}\necho '4242;cluster1'\n`);
    chmodSync(join(bin, 'sbatch'), 0o755);
    const r = await spawnDone('bash', [join(out, 'submit.sh')], { PATH: `${bin}:${process.env.PATH}` });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['--parsable sweep.sbatch', '--dependency=afterok:4242 merge.sbatch']);
    expect(existsSync(join(out, 'logs'))).toBe(true);
  });
});
