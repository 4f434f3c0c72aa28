import { describe, expect, it } from 'vitest';
import { isBaileysAuthFile } from '../../bench/lib/baseline.js';
import { syntheticSessions } from '../../bench/lib/in-process.js';
import { planSessions } from '../../bench/lib/pairing.js';
import { envVarOf, parseRss } from '../../bench/lib/proc.js';
import { pickSpread } from '../../bench/lib/scenario.js';
import { isSessionStatus } from '../../src/status.js';
import { isValidSessionId } from '../../src/session-id.js';

describe('bench planning (pure)', () => {
  it('plans valid, distinct session ids and phone numbers', () => {
    const plan = planSessions('bench100', 100);
    expect(new Set(plan.map((p) => p.sessionId)).size).toBe(100);
    expect(new Set(plan.map((p) => p.phone)).size).toBe(100);
    for (const p of plan) expect(isValidSessionId(p.sessionId)).toBe(true);
    expect(plan[0]).toEqual({ sessionId: 'bench100-001', phone: '15550100000' });
  });

  it('spreads kills over the whole list', () => {
    expect(pickSpread([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5)).toEqual([1, 3, 5, 7, 9]);
    expect(pickSpread([1, 2, 3], 10)).toEqual([1, 2, 3]);
    expect(pickSpread([1, 2, 3], 0)).toEqual([]);
  });

  it('hands the baseline only Baileys auth files (not our generation label or temp files)', () => {
    expect(isBaileysAuthFile('creds.json')).toBe(true);
    expect(isBaileysAuthFile('pre-key-12.json')).toBe(true);
    expect(isBaileysAuthFile('generation.json')).toBe(false);
    expect(isBaileysAuthFile('.creds.json.tmp-123')).toBe(false);
  });

  it('builds synthetic registries with canonical statuses only', () => {
    const views = syntheticSessions(1000);
    expect(views).toHaveLength(1000);
    expect(views.every((v) => isSessionStatus(v.status))).toBe(true);
    expect(views.filter((v) => v.status === 'connected').length).toBeGreaterThan(500);
    expect(views.every((v) => v.status !== 'failed' || v.reason !== null)).toBe(true);
  });

  it('reads RSS from smaps_rollup', () => {
    expect(parseRss('55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:              120512 kB\nPss:               60000 kB\n')).toBe(120512 * 1024);
    expect(parseRss('nothing')).toBeNull();
  });

  it('reads one variable of a /proc environ (the hosts\' GLIBC_TUNABLES)', () => {
    const environ = 'PATH=/bin\0GLIBC_TUNABLES=glibc.malloc.mmap_threshold=32768\0X=a=b\0';
    expect(envVarOf(environ, 'GLIBC_TUNABLES')).toBe('glibc.malloc.mmap_threshold=32768');
    expect(envVarOf(environ, 'X')).toBe('a=b');
    expect(envVarOf(environ, 'GLIBC')).toBeUndefined();
  });
});
