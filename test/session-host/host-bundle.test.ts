/**
 * The session host every test, the bench, `npm start` and Docker fork is the production bundle
 * (`dist/host/session-host.mjs`, scripts/build-host.mjs, issue 15). Its Baileys is bundled, so the
 * simulator's trust preload must patch the bundle's own instance (`dist/host/baileys.cjs`), not
 * a second copy from node_modules: a host that trusts another root must fail the handshake. What a
 * host needs only for some sessions (the S3 client) is a lazy chunk a local-storage host never reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOST_MODULE } from '../../supervisor/host/host-settings.js';
import { HOST_MAIN, PROJECT_ROOT, startHost, type HostHandle } from '../support/host-harness.js';
import { minioSettings, startS3rver } from '../support/s3/s3rver-server.js';
import { hostBundleStale } from '../../scripts/build-host.mjs';
import { SimEnv } from './sim-env.js';

let env: SimEnv;
beforeAll(async () => {
  env = await SimEnv.start();
});
afterAll(() => env?.close());

describe('bundled session host', () => {
  it('is what the supervisor forks by default, built from its entry by npm run build', () => {
    expect(DEFAULT_HOST_MODULE).toBe(join(PROJECT_ROOT, 'dist', 'host', 'session-host.mjs'));
    expect(HOST_MAIN).toBe(DEFAULT_HOST_MODULE);
    expect(existsSync(HOST_MAIN)).toBe(true);
    const inputs = Object.keys((JSON.parse(readFileSync(join(PROJECT_ROOT, 'dist', 'host', 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> }).inputs);
    // Followed from the entry: the host's own modules and Baileys are in, the supervisor is not.
    expect(inputs).toContain('session-host/main.ts');
    expect(inputs.some((f) => f.includes('@whiskeysockets/baileys/'))).toBe(true);
    expect(inputs.some((f) => f.startsWith('supervisor/'))).toBe(false);
    // ...and a bundle just built is fresh: nothing rebuilds it while other processes run it.
    expect(hostBundleStale()).toBe(false);
  });

  it('keeps the S3 client, the media parsers and the proxy agents in their own lazy chunk files', () => {
    const meta = JSON.parse(readFileSync(join(PROJECT_ROOT, 'dist', 'host', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: string[] }> };
    const holders = (pkg: string) => Object.keys(meta.outputs).filter((f) => meta.outputs[f]!.inputs.some((i) => i.includes(`node_modules/${pkg}/`)));
    expect(holders('minio')).toEqual(['dist/host/minio.cjs']);
    expect(holders('music-metadata')).toEqual(['dist/host/media.cjs']);
    expect(holders('socks-proxy-agent')).toEqual(['dist/host/proxy-socks.cjs']);
  });

  // What a real host compiled from pairing to its first upload: the loader records every bundle
  // file it compiles (session-host/code-cache/loader.ts) and the host names them in its boot cost line.
  const hostFiles = async (h: HostHandle): Promise<string[]> => {
    await h.waitFor((m) => m.type === 'snapshot' && m.trigger === 'connected', 45_000);
    for (let i = 0; i < 100; i++) {
      const line = h.output.join('').split('\n').find((l) => l.includes('"msg":"session host boot cost"'));
      if (line) return (JSON.parse(line) as { hostFiles: string[] }).hostFiles;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no boot cost line');
  };

  it('a host on local storage never reads the S3 client: it compiles the host and Baileys only', async () => {
    const h = env.host('bundle-local', await env.tempDir());
    await env.pair(h, '15550073101');
    expect(await hostFiles(h)).toEqual(['baileys.cjs', 'host.cjs']);
  });

  it('a host on S3 storage loads the S3 client chunk when it opens its store', async () => {
    const s3 = await startS3rver();
    try {
      const h = env.host('bundle-s3', await env.tempDir(), { storage: minioSettings(s3) });
      await env.pair(h, '15550073102');
      expect(await hostFiles(h)).toEqual(['baileys.cjs', 'host.cjs', 'minio.cjs']);
    } finally {
      await env.cleanupHosts();
      await s3.close();
    }
  });

  it("runs the preload's Baileys instance: trusting another root fails the handshake, never a QR", async () => {
    const dir = await env.tempDir();
    const otherRoot = Buffer.alloc(32, 9).toString('base64');
    const untrusted = startHost({
      sessionId: 'bundle-untrusted',
      dataDir: dir,
      execArgv: ['--import', env.sim.preloadPath],
      env: { ...env.sim.childEnv(), WA_SIM_ROOT_PUBLIC_KEY: otherRoot },
      init: { waWebsocketUrl: env.sim.url },
    });
    try {
      await untrusted.waitFor((m) => m.type === 'reconnect' || (m.type === 'status' && m.status === 'failed'), 20_000);
      expect(untrusted.of('qr')).toEqual([]);
      expect(untrusted.statuses().some((s) => s.status === 'connected')).toBe(false);
    } finally {
      await untrusted.dispose();
    }
    // Control: the same bundle trusting the simulator's root gets its QR.
    const trusted = env.host('bundle-trusted', await env.tempDir());
    await trusted.waitFor((m) => m.type === 'qr');
  });
});
