import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_FRAME_BYTES, command, defineGroup, type EventFrame } from '../../src/host/contract.js';
import { CommandError, HostRouter } from '../../src/host/router.js';

const demo = defineGroup({
  name: 'demo',
  commands: {
    'demo.add': command('adds', z.strictObject({ a: z.number(), b: z.number() }), z.number()),
    'demo.refuse': command('refuses', z.strictObject({}).optional().default({}), z.null()),
    'demo.crash': command('has a bug', z.strictObject({}).optional().default({}), z.null()),
    'demo.lie': command('returns the wrong type', z.strictObject({}).optional().default({}), z.number()),
  },
  events: { 'demo.tick': z.object({ n: z.number().int() }) },
});

function router(): { r: HostRouter; internal: string[] } {
  const internal: string[] = [];
  const r = new HostRouter({ onInternalError: (e) => internal.push(String((e as Error).message)) });
  r.mount(demo, {
    'demo.add': ({ a, b }) => a + b,
    'demo.refuse': () => {
      throw new CommandError('not now', [{ path: 'args.x', message: 'too early' }]);
    },
    'demo.crash': () => {
      throw new TypeError('cannot read x of undefined');
    },
    'demo.lie': () => 'seven' as unknown as number,
  });
  return { r, internal };
}

describe('HostRouter', () => {
  it('runs a valid call and returns its validated result', async () => {
    const { r } = router();
    expect(await r.handleText(JSON.stringify({ type: 'call', id: 7, cmd: 'demo.add', args: { a: 2, b: 40 } }))).toEqual({ type: 'result', id: 7, result: 42 });
  });

  it('answers malformed JSON with bad_json and no id', async () => {
    const { r } = router();
    const f = await r.handleText('{"type":"call", id: 1');
    expect(f).toMatchObject({ type: 'error', id: null, error: { code: 'bad_json' } });
    expect((f as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
  });

  it('refuses an oversized frame before parsing it', async () => {
    const { r } = router();
    const f = await r.handleText('x'.repeat(MAX_FRAME_BYTES + 1));
    expect(f).toMatchObject({ type: 'error', error: { code: 'too_large' } });
  });

  it('names the bad field of a frame that is not a call, keeping a usable id', async () => {
    const { r } = router();
    const f = await r.handleFrame({ type: 'call', id: 3 });
    expect(f).toMatchObject({ type: 'error', id: 3, error: { code: 'bad_frame' } });
    expect((f as { error: { message: string } }).error.message).toMatch(/cmd/);
  });

  it('names an unknown command and lists the known ones', async () => {
    const { r } = router();
    const f = await r.handleFrame({ type: 'call', id: 1, cmd: 'demo.fly' });
    expect(f).toMatchObject({ type: 'error', id: 1, error: { code: 'unknown_command' } });
    expect((f as { error: { message: string } }).error.message).toMatch(/unknown command 'demo\.fly'.*demo\.add/);
  });

  it('names the path of bad arguments', async () => {
    const { r } = router();
    const f = await r.handleFrame({ type: 'call', id: 1, cmd: 'demo.add', args: { a: 1, b: 'two' } });
    expect(f).toMatchObject({ type: 'error', id: 1, error: { code: 'bad_args', issues: [{ path: 'args.b' }] } });
    expect((f as { error: { message: string } }).error.message).toMatch(/^demo\.add: args\.b: /);
  });

  it('turns a refusal into failed and a bug into internal, and keeps serving', async () => {
    const { r, internal } = router();
    expect(await r.handleFrame({ type: 'call', id: 1, cmd: 'demo.refuse' })).toMatchObject({
      error: { code: 'failed', message: 'demo.refuse: not now', issues: [{ path: 'args.x', message: 'too early' }] },
    });
    expect(await r.handleFrame({ type: 'call', id: 2, cmd: 'demo.crash' })).toMatchObject({ error: { code: 'internal' } });
    expect(await r.handleFrame({ type: 'call', id: 3, cmd: 'demo.lie' })).toMatchObject({ error: { code: 'internal' } });
    expect(internal).toHaveLength(2);
    expect(await r.handleFrame({ type: 'call', id: 4, cmd: 'demo.add', args: { a: 1, b: 1 } })).toMatchObject({ result: 2 });
  });

  it('emits only events that pass their schema, to every subscriber', () => {
    const { r, internal } = router();
    const a: EventFrame[] = [];
    const b: EventFrame[] = [];
    const offA = r.subscribe((f) => a.push(f));
    r.subscribe((f) => b.push(f));
    expect(r.emit('demo.tick', { n: 1 })).toBe(true);
    expect(r.emit('demo.tick', { n: 1.5 })).toBe(false);
    expect(r.emit('demo.nope', {})).toBe(false);
    offA();
    r.emit('demo.tick', { n: 2 });
    expect(a.map((f) => f.data)).toEqual([{ n: 1 }]);
    expect(b.map((f) => f.data)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(internal).toHaveLength(2);
  });

  it('refuses to mount a command twice or without a handler', () => {
    const { r } = router();
    expect(() => r.mount(demo, {} as never)).toThrow(/mounted twice|no handler/);
  });
});
