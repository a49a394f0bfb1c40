/**
 * The container image without Docker (no engine runs here): the Dockerfile's steps are replayed into a
 * folder (WORKDIR, ENV, COPY from the repository, RUN with npm offline from the local cache, so
 * `npm ci --omit=dev` installs exactly the production dependencies) and the result is run through its
 * ENTRYPOINT: `peerlab run`, a sweep shard and its merge, and `peerlab signal`. An instruction this
 * replay does not know fails the test, so the Dockerfile cannot drift from what is checked here.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'peerlab-image-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const IMAGE = join(tmp, 'root');

interface Step {
  op: string;
  args: string;
  line: number;
}

/** Dockerfile instructions, with `\` continuations joined and comments dropped. */
function parseDockerfile(text: string): Step[] {
  const steps: Step[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') start = i + 1;
    pending += `${line.replace(/\\$/, '')} `;
    if (line.endsWith('\\')) return;
    const m = /^(\w+)\s+(.*)$/.exec(pending.trim());
    if (!m) throw new Error(`Dockerfile line ${start}: cannot read ${JSON.stringify(pending)}`);
    steps.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    pending = '';
  });
  return steps;
}

function sh(cmd: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile('sh', ['-c', cmd], { cwd, env, timeout: 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

interface Image {
  from: string;
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  user: string | null;
}

/** The image's file system root is IMAGE; an absolute path inside the image maps under it. */
const inImage = (p: string) => join(IMAGE, p);

async function build(): Promise<Image> {
  const steps = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const img: Image = { from: '', workdir: '/', env: {}, entrypoint: [], cmd: [], user: null };
  for (const s of steps) {
    const where = `Dockerfile line ${s.line} (${s.op})`;
    switch (s.op) {
      case 'FROM':
        img.from = s.args;
        break;
      case 'WORKDIR':
        img.workdir = posix.resolve(img.workdir, s.args);
        mkdirSync(inImage(img.workdir), { recursive: true });
        break;
      case 'ENV': {
        const m = /^([A-Za-z_]\w*)=(\S+)$/.exec(s.args);
        if (!m) throw new Error(`${where}: only ENV KEY=value is replayed`);
        img.env[m[1]!] = m[2]!;
        break;
      }
      case 'COPY': {
        const parts = s.args.split(/\s+/);
        if (parts.some((p) => p.startsWith('--'))) throw new Error(`${where}: COPY flags are not replayed`);
        const dest = posix.resolve(img.workdir, parts.pop() as string);
        for (const src of parts) {
          const from = join(ROOT, src);
          expect(existsSync(from), `${where}: ${src}`).toBe(true);
          // several sources or a trailing slash: into the folder; one folder: its contents become dest
          const target = parts.length > 1 || s.args.endsWith('/') || s.args.endsWith('./') ? join(inImage(dest), posix.basename(src)) : inImage(dest);
          cpSync(from, target, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        // a BuildKit cache mount keeps npm's download cache out of the image; here npm uses the local
        // cache as it is, offline
        const cmd = s.args.replace(/^--mount=type=cache,target=\S+\s+/, '');
        if (cmd.startsWith('--')) throw new Error(`${where}: RUN flags other than a cache mount are not replayed`);
        const r = await sh(cmd, inImage(img.workdir), { ...process.env, ...img.env, npm_config_offline: 'true' });
        expect(r.code, `${where}: ${cmd}\n${r.out}`).toBe(0);
        break;
      }
      case 'USER':
        img.user = s.args;
        break;
      case 'ENTRYPOINT':
        img.entrypoint = JSON.parse(s.args) as string[];
        break;
      case 'CMD':
        img.cmd = JSON.parse(s.args) as string[];
        break;
      default:
        throw new Error(`${where}: this replay does not know ${s.op}; teach test/lab/image.test.ts what it does`);
    }
  }
  return img;
}

describe('the container image (Dockerfile replayed without Docker)', () => {
  let img: Image;
  /** The ENTRYPOINT with the image's absolute paths mapped under IMAGE, run in WORKDIR. */
  const peerlab = (args: string[]) => {
    const [exe, ...rest] = img.entrypoint.map((a) => (a.startsWith('/') ? inImage(a) : a));
    return new Promise<{ code: number; out: string }>((done) => {
      execFile(exe === 'node' ? process.execPath : (exe as string), [...rest, ...args], { cwd: inImage(img.workdir), env: { PATH: process.env.PATH, HOME: tmp, ...img.env }, timeout: 120_000 }, (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
  };

  beforeAll(async () => {
    // module resolution walks up from the image folder: nothing above it may hold packages
    expect(existsSync(join(tmpdir(), 'node_modules'))).toBe(false);
    img = await build();
  }, 300_000);

  it('is Node 20, runs as a user, with peerlab as its entry point', () => {
    expect(img.from).toMatch(/^node:20(\b|-)/);
    expect(img.user).toBe('node');
    expect(img.entrypoint).toEqual(['node', `${img.workdir}/bin/peerlab.mjs`]);
    expect(img.env.NODE_ENV).toBe('production');
  });

  it('holds the production dependencies and none of the development ones', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const modules = join(inImage(img.workdir), 'node_modules');
    for (const d of Object.keys(pkg.dependencies)) expect(existsSync(join(modules, d)), d).toBe(true);
    // some development packages come in as dependencies of production ones (typescript under vue); the
    // ones nothing in production needs must be absent
    for (const d of ['vitest', 'electron', 'electron-vite', 'eslint', 'playwright-core', 'fast-check', 'dependency-cruiser', 'vite', 'vue-tsc'])
      expect(existsSync(join(modules, d)), d).toBe(false);
  });

  it('the default command prints the usage', async () => {
    const r = await peerlab(img.cmd);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/usage: peerlab <command>/);
  });

  it('runs a shipped scenario, and a sweep as shards merged', async () => {
    const out = join(tmp, 'runs');
    const r = await peerlab(['run', 'resources/scenarios/gossip-small.yaml', '--out', join(out, 'small'), '--quiet']);
    expect(r.code, r.out).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'small', 'summary.json'), 'utf8')) as { reached: number };
    expect(summary.reached).toBe(1);
    const sweep = ['sweep', 'resources/scenarios/gossip-small.yaml', '--vary', 'protocol.fanout=2,3', '--seeds', '2', '--workers', '1', '--quiet'];
    const shards = await Promise.all([0, 1].map((i) => peerlab([...sweep, '--shard', `${i}/2`, '--out', join(out, 'study')])));
    for (const s of shards) expect(s.code, s.out).toBe(0);
    const m = await peerlab(['sweep', 'merge', join(out, 'study'), '--out', join(out, 'merged'), '--quiet']);
    expect(m.code, m.out).toBe(0);
    expect((JSON.parse(readFileSync(join(out, 'merged', 'sweep.json'), 'utf8')) as { runs: unknown[] }).runs).toHaveLength(4);
  });

  // the Kubernetes manifest runs the image with readOnlyRootFilesystem and an emptyDir at /tmp: a shard
  // must need nothing writable but its --out and the temporary folder (tsx's cache). Remounting the
  // image's folder read-only takes a mount namespace, so root.
  it.skipIf(process.getuid?.() !== 0)('runs a shard with the image read-only and only /tmp and --out writable', async () => {
    const out = join(tmp, 'ro-out');
    const tmpdirRo = join(tmp, 'ro-tmp');
    mkdirSync(tmpdirRo, { recursive: true });
    const [exe, ...rest] = img.entrypoint.map((a) => (a.startsWith('/') ? inImage(a) : a));
    const node = exe === 'node' ? process.execPath : (exe as string);
    const cmd = [node, ...rest, 'sweep', 'resources/scenarios/gossip-small.yaml', '--vary', 'protocol.fanout=2', '--seeds', '1', '--workers', '1', '--shard', '0/1', '--out', out, '--quiet'];
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const script = `mount --bind -o ro ${quote(IMAGE)} ${quote(IMAGE)} && cd ${quote(inImage(img.workdir))} && ! touch probe 2>/dev/null && exec ${cmd.map(quote).join(' ')}`;
    const r = await new Promise<{ code: number; out: string }>((done) => {
      execFile('unshare', ['-m', 'sh', '-c', script], { env: { PATH: process.env.PATH, TMPDIR: tmpdirRo, ...img.env }, timeout: 120_000 }, (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
    expect(r.code, r.out).toBe(0);
    expect(existsSync(join(out, 'shard-0-of-1', 'shard.json'))).toBe(true);
  });

  it('serves signaling', async () => {
    const [exe, ...rest] = img.entrypoint.map((a) => (a.startsWith('/') ? inImage(a) : a));
    const child = spawn(exe === 'node' ? process.execPath : (exe as string), [...rest, 'signal', '--port', '0'], { cwd: inImage(img.workdir), env: { PATH: process.env.PATH, ...img.env } });
    try {
      const line = await new Promise<string>((res, rej) => {
        let text = '';
        child.stdout.on('data', (b: Buffer) => {
          text += b.toString();
          if (text.includes('\n')) res(text);
        });
        child.on('exit', (c) => rej(new Error(`exited ${c}`)));
      });
      expect(line).toMatch(/peerlab signal: listening on ws:\/\/127\.0\.0\.1:\d+/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
