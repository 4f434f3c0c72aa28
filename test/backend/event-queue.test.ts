import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../supervisor/backend/event-queue.js';
import type { OutboundEvent } from '../../supervisor/backend/domain.js';
import type { SessionStatus } from '../../src/status.js';

const at = '2024-01-01T00:00:00.000Z';
const st = (sessionId: string, status: SessionStatus): OutboundEvent => ({ kind: 'session-status', sessionId, event: status, status, phoneNumber: null, at });
const msg = (sessionId: string, id: string): OutboundEvent => ({ kind: 'messages', sessionId, messages: [{ id, from: '1555@s.whatsapp.net', timestamp: at, type: 'text', text: id }] });
const rc = (sessionId: string, messageId: string): OutboundEvent => ({ kind: 'message-status', sessionId, messageId, remoteJid: 'x', status: 'read', at });
const label = (q: EventQueue): string[] =>
  q.snapshot().map(({ event: e }) => (e.kind === 'session-status' ? `${e.sessionId}:${e.status}` : e.kind === 'messages' ? `${e.sessionId}:msg${e.messages.length}` : `${e.sessionId}:rc`));

describe('event queue policy', () => {
  it('keeps FIFO order', () => {
    const q = new EventQueue(10);
    q.push(st('a', 'starting'));
    q.push(st('b', 'starting'));
    q.push(st('a', 'connected'));
    expect(label(q)).toEqual(['a:starting', 'b:starting', 'a:connected']);
    expect(q.shift()?.event).toMatchObject({ sessionId: 'a', status: 'starting' });
  });

  it('drops the oldest superseded status first, never the newest', () => {
    const q = new EventQueue(3);
    q.push(st('a', 'starting'));
    q.push(st('b', 'starting'));
    q.push(st('a', 'connecting'));
    const r = q.push(st('a', 'connected'));
    expect(r.dropped?.event).toMatchObject({ sessionId: 'a', status: 'starting' });
    expect(label(q)).toEqual(['b:starting', 'a:connecting', 'a:connected']);
    q.push(st('b', 'connected'));
    expect(label(q)).toEqual(['a:connecting', 'a:connected', 'b:connected']);
    expect(q.droppedTotal).toBe(2);
  });

  it('drops a message batch or receipt when no status is superseded', () => {
    const q = new EventQueue(3);
    q.push(st('a', 'connected'));
    q.push(rc('a', 'm1'));
    q.push(st('b', 'connected'));
    const r = q.push(st('c', 'connected'));
    expect(r.dropped?.event.kind).toBe('message-status');
    expect(label(q)).toEqual(['a:connected', 'b:connected', 'c:connected']);
  });

  it('drops the oldest item only when every queued item is a session\'s newest status', () => {
    const q = new EventQueue(2);
    q.push(st('a', 'connected'));
    q.push(st('b', 'connected'));
    q.push(st('c', 'connected'));
    expect(label(q)).toEqual(['b:connected', 'c:connected']);
  });

  it('batches incoming messages only when that keeps the session\'s order', () => {
    const q = new EventQueue(10, 3);
    q.push(msg('a', '1'));
    expect(q.push(msg('a', '2')).merged).toBe(true);
    q.push(msg('b', '1'));
    expect(q.push(msg('a', '3')).merged).toBe(true); // b's batch does not block a's
    q.push(st('a', 'reconnecting'));
    expect(q.push(msg('a', '4')).merged).toBe(false); // would jump ahead of the status
    expect(q.push(msg('a', '5')).merged).toBe(true);
    q.push(msg('a', '6'));
    expect(q.push(msg('a', '7')).merged).toBe(false); // batch full (3)
    expect(label(q)).toEqual(['a:msg3', 'b:msg1', 'a:reconnecting', 'a:msg3', 'a:msg1']);
  });
});
