import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZES, parseBenchOptions, parseNodeFlags, parseSizes } from '../../bench/lib/args.js';

describe('bench options (pure)', () => {
  it('defaults: N = 10, 50, 100 with the baseline', () => {
    const o = parseBenchOptions([], {});
    expect(o.sizes).toEqual(DEFAULT_SIZES);
    expect(o.skipBaseline).toBe(false);
    expect(o.registrySize).toBe(1000);
    expect(o.recoveryConcurrency).toBeUndefined();
    expect(o.nodeFlags).toEqual([]);
  });

  it('reads BENCH_N and friends from the environment', () => {
    const o = parseBenchOptions([], { BENCH_N: '10,50', BENCH_KILLS: '3', BENCH_SKIP_BASELINE: '1', BENCH_RECOVERY_CONCURRENCY: '20' });
    expect(o.sizes).toEqual([10, 50]);
    expect(o.kills).toBe(3);
    expect(o.skipBaseline).toBe(true);
    expect(o.recoveryConcurrency).toBe(20);
  });

  it('spares (0 allowed) and the hosts\' node binary for the worker', () => {
    expect(parseBenchOptions([], {}).spares).toBeUndefined();
    expect(parseBenchOptions(['--spares', '0'], {}).spares).toBe(0);
    expect(parseBenchOptions([], { BENCH_SPARES: '3', BENCH_HOST_NODE_PATH: '/opt/node22/bin/node' })).toMatchObject({ spares: 3, hostNodePath: '/opt/node22/bin/node' });
    expect(() => parseBenchOptions([], { BENCH_SPARES: '-1' })).toThrow(/BENCH_SPARES/);
    expect(() => parseBenchOptions(['--host-node', 'node'], {})).toThrow(/absolute/);
  });

  it('flags win over the environment, in both --flag value and --flag=value forms', () => {
    const o = parseBenchOptions(['--n', '5', '--kills=2', '--no-baseline', '--node-flags', '--max-semi-space-size=1 --max-old-space-size=256'], { BENCH_N: '10' });
    expect(o.sizes).toEqual([5]);
    expect(o.kills).toBe(2);
    expect(o.skipBaseline).toBe(true);
    expect(o.nodeFlags).toEqual(['--max-semi-space-size=1', '--max-old-space-size=256']);
  });

  it('rejects what would silently measure the wrong thing', () => {
    expect(() => parseSizes('10,x')).toThrow(/BENCH_N/);
    expect(() => parseSizes(' , ')).toThrow(/no session count/);
    expect(() => parseSizes('0')).toThrow(/positive integer/);
    expect(() => parseBenchOptions(['--bogus'], {})).toThrow(/unknown argument/);
    expect(() => parseBenchOptions(['--n'], {})).toThrow(/needs a value/);
    expect(() => parseNodeFlags('--ok /tmp/evil.js')).toThrow(/not a --flag/);
  });
});
