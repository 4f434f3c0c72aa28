/** The durable keyed log behind idempotency records and the host's sent messages: real files. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyedLog } from '../../src/fs/keyed-log.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'keyed-log-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('KeyedLog', () => {
  it('what was awaited is there after a reopen (last write wins, deletes stick)', async () => {
    const path = join(tmp(), 'sub', 'log.jsonl');
    const a = new KeyedLog<{ n: number }>(path);
    await a.put('x', { n: 1 });
    await a.put('y', { n: 2 });
    await a.put('x', { n: 3 });
    await a.delete('y');
    // no close(): a kill -9 does not close either
    const b = new KeyedLog<{ n: number }>(path);
    expect(b.entries()).toEqual([['x', { n: 3 }]]);
  });

  it('a torn last line (crash mid-append) is ignored, the rest loads', async () => {
    const path = join(tmp(), 'log.jsonl');
    const a = new KeyedLog<string>(path);
    await a.put('k1', 'v1');
    appendFileSync(path, '{"k":"k2","v":"v');
    const b = new KeyedLog<string>(path);
    expect(b.get('k1')).toBe('v1');
    expect(b.get('k2')).toBeUndefined();
    await b.put('k3', 'v3');
    expect(new KeyedLog<string>(path).entries()).toEqual([['k1', 'v1'], ['k3', 'v3']]);
  });

  it('compacts when the file has far more lines than records, keeping what retain keeps', async () => {
    const path = join(tmp(), 'log.jsonl');
    const log = new KeyedLog<number>(path, { compactSlack: 5, retain: (e) => e.slice(-3) });
    for (let i = 0; i < 20; i++) await log.put(`k${i % 4}`, i);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(3 + 5);
    const reopened = new KeyedLog<number>(path, { retain: (e) => e.slice(-3) });
    expect(reopened.entries().map(([, v]) => v)).toEqual([17, 18, 19]);
  });

  it('a concurrent reader sees a put at once, before it is durable', () => {
    const log = new KeyedLog<string>(join(tmp(), 'log.jsonl'));
    const done = log.put('a', 'b');
    expect(log.get('a')).toBe('b');
    return done;
  });
});
