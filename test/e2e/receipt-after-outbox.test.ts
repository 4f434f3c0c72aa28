/**
 * Issue 13 §8 / 14: WhatsApp is told a message was delivered only once the supervisor's outbox
 * durably holds it. Baileys rc14 alone sends the delivery receipt before it emits the message; a
 * process that dies between that receipt and the outbox write lost the message (WhatsApp no longer
 * held it). The hosts now hand each decrypted message to the supervisor and wait for the outbox's
 * commit before the receipt goes out (scripts/patch-baileys.mjs, session-host/inbox.ts).
 *
 * Real parts throughout: the compiled supervisor, Baileys hosts, the simulator (which holds a
 * message until the device receipts it and redelivers it at the next login), S3, the fake backend.
 *   - supervisor SIGSTOPped, the contact writes, supervisor SIGKILLed, worker started again: the
 *     backend gets the message exactly once (before the fix: the host receipted it, the message
 *     sat in the dead supervisor's IPC pipe, and it was lost);
 *   - host SIGKILLed while the supervisor (stopped) owed it the ack: the supervisor commits the
 *     message when it runs again, WhatsApp redelivers it to the restarted host, and the outbox's
 *     memory of delivered ids keeps the backend at exactly one copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../supervisor/support/journal.js';
import { hostPidsOf } from '../supervisor/support/processes.js';
import { deliveredTexts, settleWithin } from './support/messages.js';
import { startOneSessionWorld } from './support/one-session.js';
import type { E2ESession } from './support/sessions.js';
import type { World } from './support/world.js';
import type { E2EWorker } from './support/worker.js';

const CONTACT = '15550505999';

let world: World;
let session: E2ESession;
let worker: E2EWorker;

beforeAll(async () => {
  ({ world, session, worker } = await startOneSessionWorld('receipt', { prefix: 'rcpt', phone: 15550505001 }));
}, 120_000);

afterAll(async () => {
  if (worker) {
    try {
      process.kill(worker.pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  await world?.close(session ? [session.sessionId] : []);
});

describe('the delivery receipt waits for the outbox', () => {
  it('supervisor stopped, then SIGKILLed while a message arrives: after a new start the backend has it exactly once', async () => {
    const text = 'while the supervisor was frozen';
    process.kill(worker.pid, 'SIGSTOP');
    const delivery = world.sim.deliverText(CONTACT, session.phone, text);
    // Before the fix the host receipts at once (the delivery resolves); after it, it waits for
    // the supervisor's ack and the receipt never comes. Either way the host has the message by now.
    const receipted = await settleWithin(delivery, 8_000);
    await worker.sigkill(); // a stopped process takes SIGKILL as it is
    await waitFor(() => hostPidsOf(session.sessionId).length === 0 || undefined, 15_000, 'the orphaned host to exit');
    // What WhatsApp still holds for the device: nothing if it was receipted.
    const held = world.sim.queuedFor(session.phone);
    worker = await world.startWorker();
    await worker.connected(1, 60_000);
    await waitFor(() => deliveredTexts(world, session.sessionId).includes(text) || undefined, 60_000, `"${text}" at the backend (receipted before the fix: ${receipted}, held by the server: ${held})`);
    await waitFor(() => world.sim.queuedFor(session.phone) === 0 || undefined, 30_000, 'the server to have the receipt');
    await new Promise((r) => setTimeout(r, 2_000)); // a second copy would be on its way by now
    expect(deliveredTexts(world, session.sessionId).filter((t) => t === text)).toHaveLength(1);
    expect(world.backend.invalidCalls()).toEqual([]);
  }, 150_000);

  it('host SIGKILLed while the supervisor owes it the ack: committed once, redelivered, deduplicated', async () => {
    const text = 'while the host waited for its ack';
    const [pid] = hostPidsOf(session.sessionId);
    expect(pid).toBeDefined();
    process.kill(worker.pid, 'SIGSTOP');
    let resumed = false;
    try {
      const delivery = world.sim.deliverText(CONTACT, session.phone, text);
      await settleWithin(delivery, 8_000);
      process.kill(pid!, 'SIGKILL');
      await waitFor(() => hostPidsOf(session.sessionId).includes(pid!) === false || undefined, 10_000, 'the host to die');
    } finally {
      process.kill(worker.pid, 'SIGCONT');
      resumed = true;
    }
    expect(resumed).toBe(true);
    await worker.connected(1, 60_000);
    await waitFor(() => deliveredTexts(world, session.sessionId).includes(text) || undefined, 60_000, `"${text}" at the backend`);
    await waitFor(() => world.sim.queuedFor(session.phone) === 0 || undefined, 30_000, 'the server to have the receipt');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(deliveredTexts(world, session.sessionId).filter((t) => t === text)).toHaveLength(1);
    expect(world.backend.invalidCalls()).toEqual([]);
  }, 150_000);
});
