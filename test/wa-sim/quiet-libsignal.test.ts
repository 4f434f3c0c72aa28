/**
 * libsignal's session dumps (private keys) never reach the test process's output: the simulator's
 * contacts import quiet-libsignal.ts. Real libsignal code path (`SessionRecord.closeSession`).
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';

const require = createRequire(import.meta.url);
const saved = { info: console.info, warn: console.warn, log: console.log };
afterEach(() => Object.assign(console, saved));

describe('quiet libsignal', () => {
  it('drops "Closing session: <record with privKey>" and lets every other line through', async () => {
    const printed: unknown[][] = [];
    const record = (...args: unknown[]) => void printed.push(args);
    Object.assign(console, { info: record, warn: record, log: record });
    vi.resetModules();
    await import('./quiet-libsignal.js');
    const { SessionRecord } = require('libsignal') as { SessionRecord: new () => { closeSession(s: unknown): void } };
    new SessionRecord().closeSession({ indexInfo: { closed: -1 }, currentRatchet: { ephemeralKeyPair: { privKey: Buffer.from('private key bytes') } } });
    console.info('[e2e] an ordinary line');
    expect(printed).toEqual([['[e2e] an ordinary line']]);
  });
});
