/**
 * Pure parts of the whatsam commands: request bodies → what the host does, chat actions → the one
 * Baileys call each makes (star, unstar and delete-for-me included: the simulator cannot show those
 * app state patches, so their call is checked here), and the rich message contents.
 */
import { describe, expect, it } from 'vitest';
import { actOnSocket, OwnMessageIds, planAction, type ActionSocket } from '../../session-host/chat-actions.js';
import { toContent } from '../../session-host/message-map.js';
import { vCard } from '../../session-host/rich-content.js';
import { manageChat, planManage, planSend } from '../../supervisor/http/schemas/whatsam-map.js';

const TO = '15550001111@s.whatsapp.net';

describe('whatsam send bodies', () => {
  it('map every type the backend sends', () => {
    expect(planSend({ to: TO, type: 'text', message: 'hi' })).toEqual({ kind: 'send', message: { type: 'text', text: 'hi' } });
    expect(planSend({ to: TO, type: 'image', mediaUrl: 'https://x/a.png', caption: 'c' })).toEqual({ kind: 'send', message: { type: 'image', url: 'https://x/a.png', caption: 'c' } });
    expect(planSend({ to: TO, type: 'document', mediaUrl: 'https://x/a.pdf', filename: 'a.pdf' })).toEqual({ kind: 'send', message: { type: 'document', url: 'https://x/a.pdf', fileName: 'a.pdf' } });
    expect(planSend({ to: TO, type: 'audio', mediaUrl: 'https://x/a.mp3' })).toEqual({ kind: 'send', message: { type: 'audio', url: 'https://x/a.mp3' } });
    expect(planSend({ to: TO, type: 'location', location: { latitude: 1, longitude: 2, name: 'n' } })).toEqual({ kind: 'send', message: { type: 'location', latitude: 1, longitude: 2, name: 'n' } });
    expect(planSend({ to: TO, type: 'contact', contact: { name: 'A', phone: '+1 555' } })).toEqual({ kind: 'send', message: { type: 'contact', name: 'A', phone: '+1 555' } });
    expect(planSend({ to: TO, type: 'link', link: { url: 'https://e.x', thumbnail: 'https://e.x/t.png' } })).toEqual({ kind: 'send', message: { type: 'link', url: 'https://e.x' } });
    expect(planSend({ to: TO, type: 'poll', poll: { question: 'q', options: ['a', 'b'] } })).toEqual({ kind: 'send', message: { type: 'poll', question: 'q', options: ['a', 'b'], multipleAnswers: false } });
    expect(planSend({ to: TO, type: 'seen', messageId: 'ABC' })).toEqual({ kind: 'act', act: { action: 'read', messageId: 'ABC', fromMe: false } });
    expect(planSend({ to: TO, type: 'typing_start' })).toEqual({ kind: 'act', act: { action: 'typing', state: 'composing' } });
    expect(planSend({ to: TO, type: 'typing_stop' })).toEqual({ kind: 'act', act: { action: 'typing', state: 'paused' } });
    // The canonical and the original worker's shapes still work on the same route.
    expect(planSend({ to: TO, type: 'text', text: 'hi' })).toEqual({ kind: 'send', message: { type: 'text', text: 'hi' } });
    expect(planSend({ to: TO, message: 'hi' })).toEqual({ kind: 'send', message: { type: 'text', text: 'hi' } });
  });

  it('map every manage action', () => {
    const base = { messageId: 'M1', phone: TO };
    expect(planManage({ ...base, action: 'delete', forEveryone: true })).toEqual({ action: 'revoke', messageId: 'M1' });
    expect(planManage({ ...base, action: 'delete', forEveryone: false })).toEqual({ action: 'delete_for_me', messageId: 'M1' });
    expect(planManage({ ...base, action: 'delete' })).toEqual({ action: 'delete_for_me', messageId: 'M1' });
    expect(planManage({ ...base, action: 'unsend' })).toEqual({ action: 'revoke', messageId: 'M1' });
    expect(planManage({ ...base, action: 'reaction', emoji: '👍' })).toEqual({ action: 'react', messageId: 'M1', emoji: '👍' });
    expect(planManage({ ...base, action: 'edit', newText: 'x' })).toEqual({ action: 'edit', messageId: 'M1', text: 'x' });
    expect(planManage({ ...base, action: 'read' })).toEqual({ action: 'read', messageId: 'M1', fromMe: false });
    expect(planManage({ ...base, action: 'star' })).toEqual({ action: 'star', messageId: 'M1', star: true });
    expect(planManage({ ...base, action: 'unstar' })).toEqual({ action: 'star', messageId: 'M1', star: false });
    const other = '15550002222@s.whatsapp.net';
    expect(manageChat({ ...base, action: 'read', messageKey: { remoteJid: other, fromMe: true, id: 'M1' } })).toBe(other);
    expect(planManage({ ...base, action: 'read', messageKey: { remoteJid: other, fromMe: true, id: 'M1' } })).toEqual({ action: 'read', messageId: 'M1', fromMe: true });
  });
});

describe('chat actions as Baileys calls', () => {
  const own = new OwnMessageIds(2);
  own.add('MINE');
  it('star, unstar and delete-for-me are app state patches (chatModify)', () => {
    expect(planAction(TO, { action: 'star', messageId: 'MINE', star: true }, own.has, 5)).toEqual({ call: 'chatModify', args: [{ star: { messages: [{ id: 'MINE', fromMe: true }], star: true } }, TO] });
    expect(planAction(TO, { action: 'star', messageId: 'THEIRS', star: false }, own.has, 5)).toEqual({ call: 'chatModify', args: [{ star: { messages: [{ id: 'THEIRS', fromMe: false }], star: false } }, TO] });
    expect(planAction(TO, { action: 'delete_for_me', messageId: 'MINE' }, own.has, 5)).toEqual({
      call: 'chatModify',
      args: [{ deleteForMe: { key: { remoteJid: TO, id: 'MINE', fromMe: true }, timestamp: 5, deleteMedia: false } }, TO],
    });
  });
  it('typing is presence, read a receipt, the rest messages that name the key', () => {
    expect(planAction(TO, { action: 'typing', state: 'composing' }, own.has, 0)).toEqual({ call: 'sendPresenceUpdate', args: ['composing', TO] });
    expect(planAction(TO, { action: 'read', messageId: 'X' }, own.has, 0)).toEqual({ call: 'readMessages', args: [[{ remoteJid: TO, id: 'X', fromMe: false }]] });
    expect(planAction(TO, { action: 'revoke', messageId: 'X' }, own.has, 0)).toEqual({ call: 'sendMessage', args: [TO, { delete: { remoteJid: TO, id: 'X', fromMe: true } }] });
    expect(planAction(TO, { action: 'edit', messageId: 'X', text: 't' }, own.has, 0)).toEqual({ call: 'sendMessage', args: [TO, { text: 't', edit: { remoteJid: TO, id: 'X', fromMe: true } }] });
    expect(planAction(TO, { action: 'react', messageId: 'THEIRS', emoji: '🙂' }, own.has, 0)).toEqual({ call: 'sendMessage', args: [TO, { react: { text: '🙂', key: { remoteJid: TO, id: 'THEIRS', fromMe: false } } }] });
  });
  it('remembers a bounded number of own ids', () => {
    const ids = new OwnMessageIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('c');
    expect([ids.has('a'), ids.has('b'), ids.has('c')]).toEqual([false, true, true]);
  });
  it('a missing app state key is APP_STATE_NOT_READY; other failures ACTION_FAILED; no socket NOT_CONNECTED', async () => {
    const failing = (message: string): ActionSocket => ({
      sendPresenceUpdate: async () => undefined,
      readMessages: async () => undefined,
      sendMessage: async () => ({ key: { id: 'R' } }),
      chatModify: async () => {
        throw new Error(message);
      },
    });
    await expect(actOnSocket(failing('App state key not present!'), TO, { action: 'star', messageId: 'X', star: true }, own.has, 1000)).rejects.toMatchObject({ code: 'APP_STATE_NOT_READY' });
    await expect(actOnSocket(failing('boom'), TO, { action: 'star', messageId: 'X', star: true }, own.has, 1000)).rejects.toMatchObject({ code: 'ACTION_FAILED' });
    await expect(actOnSocket(undefined, TO, { action: 'typing', state: 'paused' }, own.has, 1000)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await expect(actOnSocket(failing(''), TO, { action: 'react', messageId: 'X', emoji: 'x' }, own.has, 1000)).resolves.toMatchObject({ messageId: 'R', to: TO });
  });
});

describe('rich message contents', () => {
  it('location, contact (vCard, escaped), link without fetching, poll', () => {
    expect(toContent({ type: 'location', latitude: -6.2, longitude: 106.8, name: 'J' })).toEqual({ location: { degreesLatitude: -6.2, degreesLongitude: 106.8, name: 'J' } });
    expect(() => toContent({ type: 'location', latitude: 95, longitude: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_MESSAGE' }));
    const card = vCard({ name: 'Doe, John', phone: '+1 (234) 567-890', organization: 'A;B', email: 'j@x.io' });
    expect(card.split('\n')).toEqual(['BEGIN:VCARD', 'VERSION:3.0', 'FN:Doe\\, John', 'ORG:A\\;B', 'TEL;type=CELL;type=VOICE;waid=1234567890:+1 (234) 567-890', 'EMAIL:j@x.io', 'END:VCARD']);
    expect(vCard({ name: 'a\nEND:VCARD', phone: '1' })).not.toMatch(/\nEND:VCARD\n/);
    expect(toContent({ type: 'link', url: 'https://e.x/p' })).toEqual({ text: 'https://e.x/p', linkPreview: null });
    expect(toContent({ type: 'link', url: 'https://e.x/p', title: 'T' })).toEqual({ text: 'https://e.x/p', linkPreview: { 'canonical-url': 'https://e.x/p', 'matched-text': 'https://e.x/p', title: 'T' } });
    expect(toContent({ type: 'poll', question: 'q', options: ['a', 'b'], multipleAnswers: false })).toEqual({ poll: { name: 'q', values: ['a', 'b'], selectableCount: 1 } });
    expect(() => toContent({ type: 'poll', question: 'q', options: ['a', 'a'], multipleAnswers: true })).toThrow(expect.objectContaining({ code: 'INVALID_MESSAGE' }));
  });
});
