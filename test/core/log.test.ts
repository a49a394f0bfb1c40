import { afterEach, describe, expect, it } from 'vitest';
import { debugEnabled, enableDebug, logger, setLogSink, type LogLevel } from '../../src/core/index.js';

describe('logger', () => {
  const saved = process.env.PEERLAB_DEBUG;
  afterEach(() => {
    enableDebug(saved ?? '');
    if (saved === undefined) delete process.env.PEERLAB_DEBUG;
  });

  function collect(run: () => void): [LogLevel, string, string][] {
    const lines: [LogLevel, string, string][] = [];
    const prev = setLogSink((level, ns, msg) => lines.push([level, ns, msg]));
    try {
      run();
    } finally {
      setLogSink(prev);
    }
    return lines;
  }

  it('is quiet by default: warnings and errors only', () => {
    enableDebug('');
    const log = logger('kademlia');
    expect(
      collect(() => {
        log.debug('lookup 7: 3 hops');
        log.warn('bucket overflow');
        log.error('broken');
      }),
    ).toEqual([
      ['warn', 'kademlia', 'bucket overflow'],
      ['error', 'kademlia', 'broken'],
    ]);
    expect(log.enabled).toBe(false);
  });

  it('turns on the listed parts, a part with its children, or all', () => {
    enableDebug('kademlia:rpc, live');
    expect(process.env.PEERLAB_DEBUG).toBe('kademlia:rpc, live');
    expect(['kademlia', 'kademlia:rpc', 'live', 'live:peer', 'liveness', 'lab', 'host'].map(debugEnabled)).toEqual([false, true, true, true, false, false, false]);
    const lines = collect(() => {
      logger('live').child('peer').debug('link up');
      logger('lab').debug('not shown');
    });
    expect(lines).toEqual([['debug', 'live:peer', 'link up']]);
    enableDebug('*');
    expect(['kademlia:rpc', 'host'].map(debugEnabled)).toEqual([true, true]);
  });
});
