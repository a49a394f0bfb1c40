/**
 * The shared argv preamble of `peerlab run`, `sweep`, `serve`, `signal` and `compare` (src/cli/args.ts): help,
 * parse errors with the usage, located messages for bad integers, exit codes; and `signal` started for
 * real (loopback, port 0) and stopped by SIGTERM through the shared wait.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Command, scenarioArgs } from '../../src/cli/args.js';
import { main as compare } from '../../src/cli/compare.js';
import { main as run } from '../../src/cli/run.js';
import { main as serve } from '../../src/cli/serve.js';
import { main as signal } from '../../src/cli/signal.js';
import { main as sweep } from '../../src/cli/sweep.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Runs a command's main in this process, capturing what it prints. */
async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await fn();
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('Command: the shared preamble', () => {
  const cmd = new Command('demo', 'usage: peerlab demo [--n N]');

  it('--help / -h print the usage and exit 0; values are typed by the table', async () => {
    for (const h of ['--help', '-h']) {
      const r = await capture(async () => {
        const p = cmd.parse([h], { n: { type: 'string' } });
        return typeof p === 'number' ? p : -1;
      });
      expect(r).toEqual({ code: 0, out: 'usage: peerlab demo [--n N]', err: '' });
    }
    const p = cmd.parse(['--n', '3'], { n: { type: 'string' }, flag: { type: 'boolean', default: false } });
    if (typeof p === 'number') throw new Error('expected values');
    expect(p.values).toEqual({ n: '3', flag: false });
  });

  it('a parse error is printed with the command name and the usage, exit 2', async () => {
    const r = await capture(async () => cmd.parse(['--m'], { n: { type: 'string' } }) as number);
    expect(r.code).toBe(2);
    expect(r.err).toBe("peerlab demo: Unknown option '--m'\n\nusage: peerlab demo [--n N]");
    const pos = await capture(async () => cmd.parse(['x'], {}) as number);
    expect(pos.err).toMatch(/^peerlab demo: Unexpected argument 'x'/);
  });

  it('int(): undefined when absent, the number when in range, null (after a message) otherwise', async () => {
    expect(cmd.int('n', undefined, 0)).toBeUndefined();
    expect(cmd.int('n', '0', 0)).toBe(0);
    expect(cmd.int('n', '65535', 0, 65535)).toBe(65535);
    const bad: [string, number, number | undefined, string][] = [
      ['-1', 0, undefined, '--n: expected an integer >= 0, got "-1"'],
      ['1.5', 1, undefined, '--n: expected an integer >= 1, got "1.5"'],
      ['', 0, undefined, '--n: expected an integer >= 0, got ""'],
      ['abc', 0, 9, '--n: expected an integer in [0, 9], got "abc"'],
      ['10', 0, 9, '--n: expected an integer in [0, 9], got "10"'],
      ['1e400', 0, undefined, '--n: expected an integer >= 0, got "1e400"'],
    ];
    for (const [raw, min, max, msg] of bad) {
      const r = await capture(async () => (cmd.int('n', raw, min, max) === null ? 2 : 0));
      expect(r, raw).toEqual({ code: 2, out: '', err: `peerlab demo: ${msg}` });
    }
  });

  it('scenarioArgs: one file and --out required; --seed, --set and the command options pass through', async () => {
    const parse = (argv: string[]) => scenarioArgs(cmd, argv, { extra: { type: 'string' } });
    const ok = await parse(['a.yaml', '--out', 'o', '--seed', '4', '--set', 'peers=3', '--set', 'seed=2', '--extra', 'x']);
    if (typeof ok === 'number') throw new Error('expected arguments');
    expect(ok.file).toBe('a.yaml');
    expect(ok.out).toBe('o');
    expect(ok.load).toEqual({ seed: 4, set: ['peers=3', 'seed=2'] });
    expect(ok.values.extra).toBe('x');
    const fails: [string[], string][] = [
      [[], 'missing the scenario file'],
      [['a.yaml'], 'missing --out <dir>'],
      [['a.yaml', 'b.yaml', '--out', 'o'], 'one scenario at a time (got 2)'],
      [['a.yaml', '--out', 'o', '--seed', 'x'], '--seed: expected an integer >= 0, got "x"'],
    ];
    for (const [argv, msg] of fails) {
      const r = await capture(async () => (await parse(argv)) as number);
      expect(r.code, msg).toBe(2);
      expect(r.err.split('\n')[0]).toBe(`peerlab demo: ${msg}`);
    }
  });
});

describe('the commands keep their options, help and messages', () => {
  it('--help lists each command own options', async () => {
    const cases: [(a: string[]) => Promise<number>, string[]][] = [
      [run, ['--out <dir>', '--seed <N>', '--set k.path=v', '--quiet']],
      [sweep, ['--vary k=v1,v2', '--seeds N', '--seed N', '--set k.path=v', '--workers N', '--out <dir>']],
      [serve, ['--port N', '--scenario NAME', '--max-peers N', '--no-build']],
      [signal, ['--port N', '--host H', '--max-message-bytes N']],
      [compare, ['--out <dir>', '--quick', '--workers N']],
    ];
    for (const [main, opts] of cases) {
      const r = await capture(() => main(['--help']));
      expect(r.code).toBe(0);
      for (const o of opts) expect(r.out).toContain(o);
    }
  });

  it('bad arguments: exit 2 with a message naming the command and the option', async () => {
    const cases: [(a: string[]) => Promise<number>, string[], string][] = [
      [run, ['a.yaml'], 'peerlab run: missing --out <dir>\n\nusage: peerlab run'],
      [run, ['a.yaml', '--out', 'o', '--seed', 'x'], 'peerlab run: --seed: expected an integer >= 0, got "x"'],
      [run, ['--bogus'], "peerlab run: Unknown option '--bogus'"],
      [sweep, ['a.yaml', '--out', 'o'], 'peerlab sweep: missing --vary key=v1,v2,...\n\nusage: peerlab sweep'],
      [sweep, ['a.yaml', '--out', 'o', '--vary', 'k=1', '--seeds', '0'], 'peerlab sweep: --seeds: expected an integer >= 1, got "0"'],
      [sweep, ['a.yaml', '--out', 'o', '--vary', 'k=1', '--workers', 'many'], 'peerlab sweep: --workers: expected an integer >= 1, got "many"'],
      [serve, ['--port', '70000'], 'peerlab serve: --port: expected an integer in [0, 65535], got "70000"'],
      [serve, ['--max-peers', '0'], 'peerlab serve: --max-peers: expected an integer in [1, 20000], got "0"'],
      [serve, ['extra'], "peerlab serve: Unexpected argument 'extra'"],
      [signal, ['--port', 'x'], 'peerlab signal: --port: expected an integer in [0, 65535], got "x"'],
      [signal, ['--max-message-bytes', '10'], 'peerlab signal: --max-message-bytes: expected an integer >= 1024, got "10"'],
      [compare, ['--quick'], 'peerlab compare: missing --out <dir>\n\nusage: peerlab compare'],
      [compare, ['--out', 'o', '--workers', '0'], 'peerlab compare: --workers: expected an integer >= 1, got "0"'],
      [compare, ['--bogus'], "peerlab compare: Unknown option '--bogus'"],
    ];
    for (const [main, argv, msg] of cases) {
      const r = await capture(() => main(argv));
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err.startsWith(msg), `${argv.join(' ')}: ${r.err}`).toBe(true);
    }
  });

  it('a scenario error names the file even when the error itself does not know it (a bad --vary)', async () => {
    const file = join(ROOT, 'resources/scenarios/gossip-small.yaml');
    const r = await capture(() => sweep([file, '--out', 'unused', '--vary', 'protocol.fanout']));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`peerlab sweep: ${file}: invalid scenario\n  --vary: expected key.path=v1,v2,..., got "protocol.fanout"`);
    const missing = await capture(() => run(['/nonexistent/x.yaml', '--out', 'unused']));
    expect(missing.err).toBe('peerlab run: /nonexistent/x.yaml: invalid scenario\n  no such file');
  });

  it('peerlab signal listens on loopback and exits 0 on SIGTERM', async () => {
    const proc = spawn(process.execPath, [join(ROOT, 'bin/peerlab.mjs'), 'signal', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const listening = new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no address within 20 s: ${out}`)), 20_000);
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          done(m[1]!);
        }
      });
    });
    const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
    try {
      expect(await listening).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  }, 30_000);
});
