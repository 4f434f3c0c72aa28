/**
 * The outbox's SQLite store and quota on a real file in a temp folder: what is appended is there
 * after the store is reopened; the same (lane, key) is kept once; over OUTBOX_MAX_BYTES the
 * least valuable event goes first, loudly (counted), never the event being added.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundEvent } from '../../supervisor/backend/contract.js';
import { EventOutbox } from '../../supervisor/outbox/outbox.js';
import { OutboxStore } from '../../supervisor/outbox/store.js';
import { parkedSink } from './support/parked-sink.js';

const AT = '2024-01-01T00:00:00.000Z';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'obx-store-'));
  dirs.push(d);
  return d;
}
const message = (id: string, text = id): OutboundEvent => ({ kind: 'messages', sessionId: 's1', messages: [{ id, from: 'x@s.whatsapp.net', timestamp: AT, type: 'text', text }] });
const receipt = (id: string): OutboundEvent => ({ kind: 'message-status', sessionId: 's1', messageId: id, remoteJid: 'x@s.whatsapp.net', status: 'read', at: AT });

describe('outbox store', () => {
  it('keeps what was appended across a reopen, one row per lane and key', () => {
    const path = join(dir(), 'outbox.sqlite');
    const a = new OutboxStore(path);
    expect(a.append([{ lane: 'backend:messages', key: 's1:A', event: message('A') }, { lane: 'backend:messages', key: 's1:A', event: message('A') }], 1).added).toHaveLength(1);
    a.append([{ lane: 'webhook:messages', key: 's1:A', event: message('A') }], 2);
    const bytes = a.bytes;
    a.close();
    const b = new OutboxStore(path);
    expect(b.bytes).toBe(bytes);
    expect(b.pendingLanes().sort()).toEqual(['backend:messages', 'webhook:messages']);
    expect(b.head('backend:messages')).toMatchObject({ key: 's1:A', sessionId: 's1', rejections: 0, state: 'pending', event: message('A') });
    b.markDead(b.head('backend:messages')!.seq, 'HTTP 400', 5);
    expect(b.deadLetters(10, 0).total).toBe(1);
    expect(b.revive(undefined)).toEqual(new Map([['backend:messages', 1]]));
    expect(b.head('backend:messages')?.state).toBe('pending');
    b.close();
  });

  it('over the quota, evicts receipts first, then the oldest; counts each', async () => {
    const d = dir();
    const outbox = new EventOutbox({ dataDir: d, workerId: 'w1', sinks: [parkedSink], logger: pino({ level: 'silent' }), maxBytes: 1200, rejectRetries: 3 });
    outbox.enqueue(message('OLD', 'x'.repeat(300)));
    outbox.enqueue(receipt('R1'));
    outbox.enqueue(message('NEW1', 'y'.repeat(300)));
    expect(outbox.stats()).toMatchObject({ pending: 3, evicted: 0 });
    outbox.enqueue(message('NEW2', 'z'.repeat(300)));
    // The receipt went first; still over: then the oldest message.
    expect(outbox.stats()).toMatchObject({ pending: 2, evicted: 2 });
    expect(outbox.stats().bytes).toBeLessThanOrEqual(1200);
    await outbox.close(0);
    const store = new OutboxStore(join(d, 'outbox.sqlite'));
    expect(store.head('backend:messages')?.key).toBe('s1:NEW1');
    store.close();
  });
});
