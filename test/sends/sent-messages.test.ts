/** The host's recent outgoing messages: bounded, durable, and what `getMessage` answers from. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_AGE_MS, MAX_KEPT, retainSent, SentMessages, type SentRecord } from '../../session-host/sent-messages.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sent-'));
  dirs.push(d);
  return d;
};

describe('SentMessages', () => {
  it('keeps the message sent for getMessage across a restart (a new instance on the same DATA_DIR)', async () => {
    const dir = dataDir();
    const a = new SentMessages(dir, 'session with spaces/ok?'.replace('/', '_'));
    await a.begin('M1', '1555@s.whatsapp.net');
    await a.sent('M1', '1555@s.whatsapp.net', { conversation: 'hello' });
    const b = new SentMessages(dir, 'session with spaces_ok?');
    expect(b.get('M1')).toMatchObject({ status: 'sent', jid: '1555@s.whatsapp.net' });
    expect(b.content('M1')?.conversation).toBe('hello');
    expect(b.content('nope')).toBeUndefined();
    await b.remove(); // logged out: no message content stays behind
    expect(new SentMessages(dir, 'session with spaces_ok?').get('M1')).toBeUndefined();
  });

  it('a send left pending by a dead host is failed at the next start, and reported once', async () => {
    const dir = dataDir();
    const a = new SentMessages(dir, 's1');
    await a.begin('M2', 'x@s.whatsapp.net');
    const b = new SentMessages(dir, 's1');
    expect(await b.failUnfinished()).toEqual([{ messageId: 'M2', jid: 'x@s.whatsapp.net' }]);
    expect(b.get('M2')).toMatchObject({ status: 'failed', error: { code: 'SEND_INTERRUPTED' } });
    expect(await new SentMessages(dir, 's1').failUnfinished()).toEqual([]);
  });

  it('retains the newest settled messages within the age limit, and every pending one', () => {
    const now = Date.parse('2026-01-10T00:00:00Z');
    const at = (ms: number) => new Date(ms).toISOString();
    const entries: Array<[string, SentRecord]> = [
      ['old', { jid: 'j', status: 'sent', at: at(now - MAX_AGE_MS - 1) }],
      ['oldPending', { jid: 'j', status: 'pending', at: at(now - MAX_AGE_MS - 1) }],
      ...Array.from({ length: MAX_KEPT + 1 }, (_, i): [string, SentRecord] => [`m${i}`, { jid: 'j', status: 'sent', at: at(now - 1000) }]),
    ];
    const kept = retainSent(entries, now).map(([id]) => id);
    expect(kept).toContain('oldPending');
    expect(kept).not.toContain('old');
    expect(kept).not.toContain('m0');
    expect(kept).toContain(`m${MAX_KEPT}`);
    expect(kept).toHaveLength(MAX_KEPT + 1);
  });
});
