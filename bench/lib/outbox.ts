/**
 * Write cost of the durable outbox (supervisor/outbox/): the time one incoming message spends in
 * `EventOutbox.admitIncoming` — JSON, the seen-key check and one SQLite transaction in WAL mode
 * (OUTBOX_SYNC=normal: written to the WAL; full: plus one fsync) — on a temporary DATA_DIR of this
 * machine's disk. This is the time the supervisor's event loop is blocked per incoming message
 * before it acks the host, which only then lets Baileys send WhatsApp the delivery receipt.
 * The sink never answers, so every event stays pending (the store grows as in an outage).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { EventOutbox } from '../../supervisor/outbox/outbox.js';
import { parkedSink } from '../../test/outbox/support/parked-sink.js';
import type { OutboxSync } from '../../supervisor/outbox/store.js';
import { summarize, type Summary } from './stats.js';

export async function measureOutboxAppend(iterations: number, sync: OutboxSync, dir = tmpdir()): Promise<Summary & { bytes: number }> {
  const dataDir = mkdtempSync(join(dir, 'bench-outbox-'));
  const outbox = new EventOutbox({ dataDir, workerId: 'bench-worker', sinks: [parkedSink], logger: pino({ level: 'silent' }), maxBytes: 2 ** 40, rejectRetries: 3, sync });
  outbox.start();
  const at = new Date().toISOString();
  const event = (i: number) => ({ kind: 'messages' as const, sessionId: 'bench-00001', messages: [{ id: `3EB0${String(i).padStart(16, '0')}`, from: '15550001111@s.whatsapp.net', timestamp: at, type: 'text' as const, text: 'a typical short message of about sixty characters, no more' }] });
  try {
    const admit = (i: number): void => {
      const e = event(i);
      if (outbox.admitIncoming(e.sessionId, e.messages).length !== 1) throw new Error(`message ${i} not admitted`);
    };
    for (let i = 0; i < 20; i++) admit(-1 - i); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const started = performance.now();
      admit(i);
      ms.push(performance.now() - started);
    }
    return { ...summarize(ms), bytes: JSON.stringify(event(0)).length };
  } finally {
    await outbox.close(0);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
