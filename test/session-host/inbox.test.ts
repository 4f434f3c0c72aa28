/**
 * The host's inbox (issues 13 §8, 14) without a socket: what Baileys' hook hands it is mapped by
 * the upsert path's own filter, handed over, remembered (so its upsert is skipped), and a failed
 * hand-over throws — Baileys then NACKs instead of receipting — after asking for a new socket.
 */
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Inbox } from '../../session-host/inbox.js';
import type { IncomingMessage } from '../../src/ipc/protocol.js';

const sock = {} as WASocket;
const text = (id: string, extra: Partial<WAMessage['key']> = {}): WAMessage =>
  ({ key: { id, remoteJid: '15550001111:3@s.whatsapp.net', fromMe: false, ...extra }, message: { conversation: `hi ${id}` }, messageTimestamp: 1_700_000_000 }) as WAMessage;

function inbox(deliver: (m: IncomingMessage[]) => Promise<void>) {
  const handed: IncomingMessage[][] = [];
  const dropped: unknown[] = [];
  const box = new Inbox({
    deliver: async (messages) => {
      handed.push(messages);
      await deliver(messages);
    },
    enrich: () => Promise.reject(new Error('no media here')),
    me: () => ({ id: '15559990000:7@s.whatsapp.net' }),
    logger: pino({ level: 'silent' }),
    undelivered: (_s, err) => dropped.push(err),
  });
  return { box, handed, dropped };
}

describe('inbox', () => {
  it('hands a live or held message over with normalised jids and remembers it', async () => {
    const { box, handed } = inbox(async () => undefined);
    await box.accept(sock, text('A'), 'notify');
    await box.accept(sock, text('B'), 'append');
    expect(handed).toEqual([
      [{ id: 'A', from: '15550001111@s.whatsapp.net', timestamp: '2023-11-14T22:13:20.000Z', type: 'text', text: 'hi A' }],
      [{ id: 'B', from: '15550001111@s.whatsapp.net', timestamp: '2023-11-14T22:13:20.000Z', type: 'text', text: 'hi B', offline: true }],
    ]);
    expect(box.has('A') && box.has('B')).toBe(true);
    await box.accept(sock, text('A'), 'append'); // redelivered to this process: nothing to hand over again
    expect(handed).toHaveLength(2);
  });

  it('lets our own messages and protocol traffic through without a hand-over', async () => {
    const { box, handed } = inbox(async () => undefined);
    await box.accept(sock, text('C', { fromMe: true }), 'notify');
    await box.accept(sock, { key: { id: 'D', remoteJid: '1@s.whatsapp.net' }, message: { protocolMessage: {} } } as WAMessage, 'notify');
    expect(handed).toEqual([]);
  });

  it('a hand-over that fails throws (no receipt) and asks for a new socket; the message is not remembered', async () => {
    const { box, dropped } = inbox(async () => {
      throw Object.assign(new Error('no ack'), { code: 'INBOX_ACK_TIMEOUT' });
    });
    await expect(box.accept(sock, text('E'), 'notify')).rejects.toMatchObject({ code: 'INBOX_ACK_TIMEOUT' });
    expect(dropped).toHaveLength(1);
    expect(box.has('E')).toBe(false);
  });
});
