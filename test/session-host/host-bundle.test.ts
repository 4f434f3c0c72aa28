/**
 * The session host every test, the bench, `npm start` and Docker fork is the production bundle
 * (`dist/host/session-host.mjs`, scripts/build-host.mjs, issue 15). Its Baileys is inlined, so the
 * simulator's trust preload must patch the bundle's own instance (`dist/host/baileys.mjs`), not
 * a second copy from node_modules: a host that trusts another root must fail the handshake.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOST_MODULE } from '../../supervisor/host/host-settings.js';
import { HOST_MAIN, PROJECT_ROOT, startHost } from '../support/host-harness.js';
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
  });

  it('loads the S3 client and media parsers only when used (lazy chunks), never at boot', () => {
    const meta = JSON.parse(readFileSync(join(PROJECT_ROOT, 'dist', 'host', 'meta.json'), 'utf8')) as {
      outputs: Record<string, { imports: { path: string; kind: string }[]; inputs: string[] }>;
    };
    // Everything a host evaluates before its first line runs: the entry and its static imports.
    const atBoot = new Set<string>();
    const queue = ['dist/host/session-host.mjs'];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (atBoot.has(file) || !meta.outputs[file]) continue;
      atBoot.add(file);
      for (const i of meta.outputs[file].imports) if (i.kind === 'import-statement') queue.push(i.path);
    }
    const inputsAtBoot = [...atBoot].flatMap((f) => meta.outputs[f]!.inputs);
    expect(inputsAtBoot.some((f) => f.includes('node_modules/minio/'))).toBe(false);
    expect(inputsAtBoot.some((f) => f.includes('node_modules/music-metadata/'))).toBe(false);
    // ...while the bundle still has them for when they are needed.
    expect(Object.values(meta.outputs).some((o) => o.inputs.some((f) => f.includes('node_modules/minio/')))).toBe(true);
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
