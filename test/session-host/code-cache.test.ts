/**
 * The host's V8 code cache (issue 15; session-host/code-cache/): the entry compiles the host's
 * CommonJS bundle from `<dir>/host-<bundle id>-<runtime>.v8cache` when there is one; a host writes a
 * missing one after its first connect; a stale or corrupt file is refused by V8 and only costs a
 * compile from source — never a boot. Real hosts on the simulator (whose preload sets its root key
 * on the Baileys the entry compiled, so both scripts go through the cache).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SnapshotMessage } from '../../src/ipc/protocol.js';
import { cacheFileName, codeFlags, staleCacheFiles, takeCodeCacheArg } from '../../session-host/code-cache/cache-files.js';
import { startHost, type HostHandle } from '../support/host-harness.js';
import { useSimEnv } from './sim-env.js';

describe('code cache files (pure)', () => {
  it('takes --code-cache <dir> out of argv and leaves the role', () => {
    expect(takeCodeCacheArg(['node', 'h.mjs', '--code-cache', '/d', '--session', 'a'])).toEqual({ dir: '/d', argv: ['node', 'h.mjs', '--session', 'a'] });
    expect(takeCodeCacheArg(['node', 'h.mjs', '--spare'])).toEqual({ dir: undefined, argv: ['node', 'h.mjs', '--spare'] });
    expect(takeCodeCacheArg(['node', 'h.mjs', '--code-cache', '--spare'])).toEqual({ dir: undefined, argv: ['node', 'h.mjs', '--spare'] });
  });
  it('names a file per bundle, Node version and code flags; preloads do not count', () => {
    const a = cacheFileName('host', 'abc', 'v20.20.2', ['--max-semi-space-size=1']);
    expect(a).toMatch(/^host-abc-[0-9a-f]{12}\.v8cache$/);
    expect(cacheFileName('host', 'abc', 'v20.20.2', ['--import', '/x.js', '--max-semi-space-size=1'])).toBe(a);
    expect(cacheFileName('host', 'abd', 'v20.20.2', ['--max-semi-space-size=1'])).not.toBe(a);
    expect(cacheFileName('host', 'abc', 'v22.23.0', ['--max-semi-space-size=1'])).not.toBe(a);
    expect(cacheFileName('host', 'abc', 'v20.20.2', [])).not.toBe(a);
    expect(codeFlags(['-r', 'x', '--require=y', '--jitless'])).toEqual(['--jitless']);
    expect(staleCacheFiles(['host-old-1.v8cache', a, 'baileys-x-1.v8cache', 'host-x.v8cache.lock'], 'host', a)).toEqual(['host-old-1.v8cache']);
  });
});

function logLine(h: HostHandle, msg: string): { codeCache?: string; hostFiles?: string[]; level?: number; error?: string } | undefined {
  const line = h.output.join('').split('\n').find((l) => l.includes(`"msg":"${msg}"`));
  return line ? (JSON.parse(line) as { codeCache?: string }) : undefined;
}

const bootCostLine = (h: HostHandle) => logLine(h, 'session host boot cost');

async function waitFor<T>(what: string, f: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a host with --code-cache', () => {
  const env = useSimEnv();

  it('writes its cache after the first connect, boots from it next time, and boots from source when the file is corrupt', async () => {
    const dataDir = await env.tempDir();
    const cacheDir = join(await env.tempDir(), 'compile-cache');
    const host = () => startHost({ sessionId: 'cc-1', dataDir, hostArgs: ['--code-cache', cacheDir], execArgv: ['--import', env.sim.preloadPath], env: env.sim.childEnv(), init: { waWebsocketUrl: env.sim.url } });
    const stop = async (h: HostHandle) => {
      await h.request({ type: 'stop' });
      await h.waitExit();
    };

    const first = host();
    await env.pair(first, '15550073001');
    await first.waitFor((m): m is SnapshotMessage => m.type === 'snapshot');
    expect((await waitFor('the boot cost line', () => bootCostLine(first))).codeCache).toBe('cold');
    const file = await waitFor('a cache file', () => (existsSync(cacheDir) ? readdirSync(cacheDir).find((f) => /^host-.*\.v8cache$/.test(f)) : undefined));
    expect(statSync(join(cacheDir, file)).size).toBeGreaterThan(100_000);
    const baileysFile = await waitFor('the Baileys cache file', () => readdirSync(cacheDir).find((f) => /^baileys-.*\.v8cache$/.test(f)));
    expect(statSync(join(cacheDir, baileysFile)).size).toBeGreaterThan(1_000_000);
    await stop(first);

    const second = host();
    await second.waitStatus('connected');
    expect((await waitFor('the boot cost line', () => bootCostLine(second))).codeCache).toBe('used');
    expect(second.of('qr')).toEqual([]);
    await stop(second);

    writeFileSync(join(cacheDir, file), Buffer.alloc(4096, 7));
    const third = host();
    await third.waitStatus('connected');
    expect((await waitFor('the boot cost line', () => bootCostLine(third))).codeCache).toBe('rejected');
    // ...and writes a good one again.
    await waitFor('a rewritten cache', () => (readFileSync(join(cacheDir, file)).length > 100_000 ? true : undefined));
    await stop(third);
  });

  it('boots without a cache folder it cannot write (the cache is an optimisation only): one warn line', async () => {
    const h = startHost({ sessionId: 'cc-2', dataDir: await env.tempDir(), hostArgs: ['--code-cache', '/proc/no-such-dir/compile-cache'], execArgv: ['--import', env.sim.preloadPath], env: env.sim.childEnv(), init: { waWebsocketUrl: env.sim.url } });
    await env.pair(h, '15550073002');
    expect((await waitFor('the boot cost line', () => bootCostLine(h))).codeCache).toBe('cold');
    const warn = await waitFor('the warn line', () => logLine(h, 'host code cache not written: hosts compile their bundle from source'));
    expect(warn).toMatchObject({ level: 40 });
    expect(warn.error).toContain('/proc/no-such-dir/compile-cache');
    expect(h.output.join('').split('\n').filter((l) => l.includes('code cache not written'))).toHaveLength(1);
    await h.request({ type: 'stop' });
    expect(await h.waitExit()).toMatchObject({ code: 0 });
  });
});
