/**
 * Issue 14 §1: messages a contact sends while the session is down are not lost. WhatsApp (the
 * simulator) holds them for the linked device and delivers them at its next login with the
 * `offline` flag, followed by the offline count; Baileys upserts them as `append`. The backend
 * must receive every one of them, in order, exactly once, flagged `offline: true`:
 *   - after `kill -9` of the session host (the supervisor restarts it);
 *   - after the whole worker was stopped with SIGTERM and started again (recovery).
 * Real parts throughout: the compiled supervisor, Baileys hosts, the simulator, S3, the fake backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../supervisor/support/journal.js';
import { hostPidsOf } from '../supervisor/support/processes.js';
import { startOneSessionWorld } from './support/one-session.js';
import type { E2ESession } from './support/sessions.js';
import type { World } from './support/world.js';
import { deliveredMessages } from './support/messages.js';
import type { E2EWorker } from './support/worker.js';

const CONTACT = '15550404999';

let world: World;
let session: E2ESession;
let worker: E2EWorker;

beforeAll(async () => {
  ({ world, session, worker } = await startOneSessionWorld('offline', { prefix: 'off', phone: 15550404001 }));
}, 120_000);

afterAll(async () => {
  await world?.close(session ? [session.sessionId] : []);
});

const delivered = () => deliveredMessages(world, session.sessionId);

/** The contact writes three messages while nobody is connected: the server holds them. */
async function contactWritesWhileDown(tag: string): Promise<string[]> {
  await waitFor(() => world.sim.devices().some((d) => d.phone === session.phone && !d.connected) || undefined, 15_000, 'the device to be offline');
  const texts = [1, 2, 3].map((n) => `${tag} ${n}`);
  for (const text of texts) await world.sim.deliverText(CONTACT, session.phone, text);
  expect(world.sim.queuedFor(session.phone)).toBe(3);
  return texts;
}

async function expectDeliveredOnce(texts: string[]): Promise<void> {
  // The first login after pairing waits up to 20 s for a history sync (Baileys), then flushes.
  await waitFor(() => texts.every((t) => delivered().some((m) => m.text === t)) || undefined, 60_000, `${texts.join(', ')} at the backend`);
  const got = delivered().filter((m) => texts.includes(m.text ?? ''));
  expect(got.map((m) => m.text)).toEqual(texts);
  expect(new Set(got.map((m) => m.id)).size).toBe(3);
  for (const m of got) expect(m).toMatchObject({ offline: true, from: expect.stringMatching(new RegExp(`^${CONTACT}@s\\.whatsapp\\.net$|@lid$`)) });
  // The receipt follows the outbox's commit, which may reach the backend first.
  await waitFor(() => world.sim.queuedFor(session.phone) === 0 || undefined, 30_000, 'the server to have every receipt');
  expect(world.backend.invalidCalls()).toEqual([]);
}

describe('messages that arrive while the session is down reach the backend', () => {
  it('a live message is delivered without the offline flag', async () => {
    await world.sim.deliverText(CONTACT, session.phone, 'live hello');
    await waitFor(() => delivered().find((m) => m.text === 'live hello'), 60_000, 'the live message at the backend');
    expect(delivered().find((m) => m.text === 'live hello')!.offline).toBeUndefined();
  }, 90_000);

  it('kill -9 of the host: three messages sent meanwhile arrive after the restart, in order, once each', async () => {
    const [pid] = hostPidsOf(session.sessionId);
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    const texts = await contactWritesWhileDown('after kill');
    await expectDeliveredOnce(texts);
  }, 120_000);

  it('SIGTERM of the worker, then a new start: three messages sent meanwhile arrive, in order, once each', async () => {
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    const texts = await contactWritesWhileDown('after stop');
    worker = await world.startWorker();
    await worker.connected(1, 60_000);
    await expectDeliveredOnce(texts);
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
  }, 150_000);
});
