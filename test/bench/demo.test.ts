/**
 * `npm run demo` end to end: the real orchestrator (tsx demo/main.ts) with the compiled worker,
 * real hosts and the simulator. It must exit 0, show every scene's proof, and leave no temporary
 * DATA_DIR behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

it('npm run demo links three sessions (one by pairing code), messages, survives kill -9 and a restart without QR, exits 0', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'demo/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DEMO_TIMEOUT_MS: '170000', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const text = out.replace(/\u001b\[[0-9;]*m/g, '');
  expect(code, text.slice(-3000)).toBe(0);
  for (const id of ['alice', 'bob', 'carol']) expect(text).toMatch(new RegExp(`${id} connected as \\+1555000100\\d`));
  // issue 19 §1: carol is linked by a pairing code typed on the phone, never by a QR
  expect(text).toMatch(/pairing-code \{"phoneNumber":"\+15550001003"\} → code [0-9A-Z]{4}-[0-9A-Z]{4}/);
  expect(text).toContain('GET /api/sessions/carol → status pairing_code_required');
  expect(text).toMatch(/carol connected as \+15550001003 .*without any QR/);
  expect(text).toMatch(/the contact's phone \+15550009999 decrypted it/);
  expect(text).toMatch(/wa_messages_total\{direction="in"\} \d+ → \d+/);
  expect(text).toMatch(/bob is connected again in .*restarts 1/);
  expect(text).toContain('QR codes shown since linking: 0');
  expect(text).toMatch(/all three recovered in .*QR codes shown: 0/);
  expect(text).toContain('Demo complete.');
  const dir = /DATA_DIR (\S+)/.exec(text)?.[1];
  expect(dir).toBeDefined();
  expect(existsSync(dir!)).toBe(false);
}, 180_000);
