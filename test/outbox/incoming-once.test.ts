/**
 * Issues 13 §8 / 14: a host's incoming messages are committed before the host may send WhatsApp
 * the receipt (`admitIncoming`), and a message reported again after its delivery — WhatsApp
 * redelivering it to a host that died before its receipt — is neither stored nor sent twice, also
 * across a supervisor restart (the memory of seen keys is in the same SQLite file). Real file,
 * real sink answering 200.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundEvent } from '../../supervisor/backend/contract.js';
import { EventOutbox } from '../../supervisor/outbox/outbox.js';
import type { EventSink } from '../../supervisor/outbox/sink.js';
import type { IncomingMessage } from '../../src/ipc/protocol.js';

const AT = '2024-01-01T00:00:00.000Z';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const msg = (id: string): IncomingMessage => ({ id, from: 'x@s.whatsapp.net', timestamp: AT, type: 'text', text: id });

function recordingSink(sent: string[]): EventSink {
  return {
    name: 'backend',
    accepts: () => true,
    send: async (_e: OutboundEvent, key: string) => {
      sent.push(key);
      return { kind: 'answered', status: 200 };
    },
    coalesceStatus: false,
    ratePerMinute: 0,
    unknownOn404: () => false,
    priority: () => 'high',
  };
}

function outbox(dataDir: string, sent: string[]): EventOutbox {
  return new EventOutbox({ dataDir, workerId: 'w1', sinks: [recordingSink(sent)], logger: pino({ level: 'silent' }), maxBytes: 1 << 20, rejectRetries: 3, retryMinMs: 10, retryMaxMs: 20 });
}

describe('incoming messages are admitted once', () => {
  it('a redelivered message is acknowledged again but stored and sent once, across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'obx-once-'));
    dirs.push(dataDir);
    const sent: string[] = [];
    const first = outbox(dataDir, sent);
    first.start();
    expect(first.admitIncoming('s1', [msg('M1'), msg('M2')]).map((m) => m.id)).toEqual(['M1', 'M2']);
    await first.onIdle();
    expect(sent).toEqual(['s1:M1', 's1:M2']);
    // The host died before its receipt: WhatsApp delivers M2 again, with a new M3.
    expect(first.admitIncoming('s1', [msg('M2'), msg('M3')]).map((m) => m.id)).toEqual(['M3']);
    await first.onIdle();
    await first.close(1_000);
    expect(first.stats().duplicates).toBe(1);

    const second = outbox(dataDir, sent); // a supervisor restart
    second.start();
    expect(second.admitIncoming('s1', [msg('M1'), msg('M3')])).toEqual([]);
    expect(second.admitIncoming('s2', [msg('M1')]).map((m) => m.id)).toEqual(['M1']); // another session's M1 is another message
    await second.onIdle();
    await second.close(1_000);
    expect(sent).toEqual(['s1:M1', 's1:M2', 's1:M3', 's2:M1']);
  });

  it('refuses (throws) when it cannot commit, so the host withholds the receipt', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'obx-once-'));
    dirs.push(dataDir);
    const box = outbox(dataDir, []);
    await box.close(0);
    expect(() => box.admitIncoming('s1', [msg('M1')])).toThrow(/outbox is closed/);
  });
});
