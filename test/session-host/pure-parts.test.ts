import { describe, expect, it } from 'vitest';
import { GenerationLedger } from '../../session-host/auth/generation.js';
import { phoneFromJid, keyFileName, isAuthFileName, hasPairedCreds, encodeValue } from '../../session-host/auth/files.js';
import { judgeLock } from '../../session-host/lock.js';
import { parseStatStartTime } from '../../session-host/proc-start-time.js';
import { chooseSource } from '../../session-host/restore.js';
import { nextUploadDelay, uploadRetryDelay } from '../../session-host/upload-schedule.js';
import { receiptStatus, toContent, toIncoming, toJid } from '../../session-host/message-map.js';
import { SPARE_ARG, SPARE_TITLE_ROOM, sessionIdFromArgv, startupRoleFromArgv, validateInit } from '../../session-host/startup-args.js';
import { IPC_PROTOCOL_VERSION, type HostInit } from '../../src/ipc/protocol.js';
import { initAuthCreds } from '@whiskeysockets/baileys';

describe('generation ledger', () => {
  it('labels the first change after an upload with a higher generation, once', () => {
    const l = new GenerationLedger(4, 4);
    expect(l.needsUpload).toBe(false);
    expect(l.onChange()).toBe(5);
    expect(l.onChange()).toBeNull();
    expect(l.needsUpload).toBe(true);
  });

  it('a change during an upload is labelled above the generation in flight', () => {
    const l = new GenerationLedger(5, 4);
    expect(l.beginUpload()).toBe(5);
    expect(l.onChange()).toBe(6);
    l.uploadSucceeded(5);
    expect(l.uploaded).toBe(5);
    expect(l.current).toBe(6);
    expect(l.needsUpload).toBe(true);
  });

  it('a failed upload keeps the label', () => {
    const l = new GenerationLedger(3, 2);
    l.beginUpload();
    l.uploadFailed();
    expect(l.current).toBe(3);
    expect(l.needsUpload).toBe(true);
  });
});

describe('restore choice', () => {
  const A = 'a'.repeat(24);
  const B = 'b'.repeat(24);
  const local = (paired: boolean, generation: number, lineage: string | null = A) => ({ paired, generation, lineage });
  const pick = (l: ReturnType<typeof local>, remote: Parameters<typeof chooseSource>[1]) => chooseSource(l, remote).source;
  it('within one pairing the higher generation wins; a tie goes to local', () => {
    expect(pick(local(true, 7), { generation: 6, lineage: A })).toBe('local');
    expect(pick(local(true, 7), { generation: 7, lineage: A })).toBe('local');
    expect(pick(local(true, 6), { generation: 7, lineage: A })).toBe('remote');
    // A lineage nobody knows (written before lineages) compares generations only.
    expect(pick(local(true, 7), { generation: 6, lineage: null })).toBe('local');
  });
  it('a local folder of another pairing never wins, whatever its generation, and is moved aside', () => {
    expect(chooseSource(local(true, 57, A), { generation: 3, lineage: B })).toEqual({ source: 'remote', moveLocalAside: true });
    expect(chooseSource(local(true, 2, A), { generation: 3, lineage: B })).toEqual({ source: 'remote', moveLocalAside: true });
    expect(chooseSource(local(true, 57, A), { generation: 3, lineage: A })).toEqual({ source: 'local', moveLocalAside: false });
  });
  it('unpaired local never wins over remote; unknown remote keeps a paired local', () => {
    expect(pick(local(false, 99), { generation: 1, lineage: A })).toBe('remote');
    expect(pick(local(false, 0, null), null)).toBe('remote');
    expect(pick(local(true, 1), 'unknown')).toBe('local');
    expect(pick(local(false, 1), 'unknown')).toBe('none');
    expect(chooseSource(local(false, 9, B), { generation: 1, lineage: A }).moveLocalAside).toBe(false);
  });
});

describe('upload schedule', () => {
  it('debounces, but never past the maximum delay after the first change', () => {
    const t = { debounceMs: 2000, maxDelayMs: 10_000 };
    expect(nextUploadDelay(1000, 1000, t)).toBe(2000);
    expect(nextUploadDelay(9500, 1000, t)).toBe(1500);
    expect(nextUploadDelay(20_000, 1000, t)).toBe(0);
    expect(uploadRetryDelay(1)).toBe(5000);
    expect(uploadRetryDelay(100)).toBe(60_000);
  });
});

describe('lock judgement', () => {
  const probe = (alive: boolean, start: string | null) => ({ alive: () => alive, startTime: () => start });
  it('dead owner, garbage and reused pids are stale; a live owner holds it', () => {
    expect(judgeLock(JSON.stringify({ pid: 123, startTime: '55' }), probe(false, null))).toBe('stale');
    expect(judgeLock('{not json', probe(true, '55'))).toBe('stale');
    expect(judgeLock('', probe(true, '55'))).toBe('stale');
    expect(judgeLock(JSON.stringify({ pid: 123, startTime: '55' }), probe(true, '77'))).toBe('stale');
    expect(judgeLock(JSON.stringify({ pid: 123, startTime: '55' }), probe(true, '55'))).toBe('held');
    expect(judgeLock(JSON.stringify({ pid: 123, startTime: null }), probe(true, '55'))).toBe('held');
  });
  it('reads field 22 of /proc/<pid>/stat even with spaces and parentheses in comm', () => {
    const rest = Array.from({ length: 50 }, (_, i) => String(i + 3)).join(' ');
    expect(parseStatStartTime(`42 (wa host (x)) ${rest}`)).toBe('22');
    expect(parseStatStartTime('garbage')).toBeNull();
  });
});

describe('auth files', () => {
  it('names files like Baileys useMultiFileAuthState', () => {
    expect(keyFileName('pre-key', '12')).toBe('pre-key-12.json');
    expect(keyFileName('session', '1555:3@s.whatsapp.net')).toBe('session-1555-3@s.whatsapp.net.json');
    expect(keyFileName('sender-key', 'a/b')).toBe('sender-key-a__b.json');
    expect(isAuthFileName('creds.json')).toBe(true);
    expect(isAuthFileName('generation.json')).toBe(false);
    expect(isAuthFileName('.creds.json.1.ab.tmp')).toBe(false);
  });
  it('paired means keys plus an identity from WhatsApp', () => {
    const fresh = initAuthCreds();
    expect(hasPairedCreds(new Map([['creds.json', encodeValue(fresh)]]))).toBe(false);
    expect(hasPairedCreds(new Map([['creds.json', encodeValue({ ...fresh, me: { id: '15550001111:2@s.whatsapp.net' } })]]))).toBe(true);
    expect(hasPairedCreds(new Map([['creds.json', Buffer.from('{torn')]]))).toBe(false);
    // Baileys' requestPairingCode sets `me` (the phone, no device) before anything is linked (issue 19 §1)
    const asked = { ...fresh, pairingCode: 'ABCD1234', me: { id: '15550001111@s.whatsapp.net', name: '~' } };
    expect(hasPairedCreds(new Map([['creds.json', encodeValue(asked)]]))).toBe(false);
    const linked = { ...asked, me: { id: '15550001111:2@s.whatsapp.net' }, account: { details: Buffer.from('x') } };
    expect(hasPairedCreds(new Map([['creds.json', encodeValue(linked)]]))).toBe(true);
    expect(phoneFromJid('15550001111:2@s.whatsapp.net')).toBe('15550001111');
    expect(phoneFromJid(undefined)).toBeUndefined();
  });
});

describe('message mapping', () => {
  it('accepts phone numbers and JIDs, rejects the rest', () => {
    expect(toJid('+1 555 000-1111')).toBe('15550001111@s.whatsapp.net');
    expect(toJid('123-456@g.us')).toBe('123-456@g.us');
    expect(() => toJid('abc')).toThrow(/not a phone number/);
    expect(() => toJid('x@evil.com')).toThrow(/not a WhatsApp JID/);
  });
  it('builds Baileys content; media only by http(s) URL', () => {
    expect(toContent({ type: 'text', text: 'hi' })).toEqual({ text: 'hi' });
    // Media go to Baileys as the bytes the host fetched, never as a URL Baileys would fetch itself.
    const png = { data: Buffer.from('png'), contentType: 'image/png', url: 'https://x.test/a.png' };
    expect(toContent({ type: 'image', url: png.url, caption: 'c' }, png)).toEqual({ image: png.data, caption: 'c', mimetype: 'image/png' });
    expect(toContent({ type: 'image', url: png.url, mimetype: 'image/jpeg' }, png)).toEqual({ image: png.data, mimetype: 'image/jpeg' });
    expect(toContent({ type: 'video', url: png.url }, png)).toEqual({ video: png.data });
    expect(toContent({ type: 'document', url: 'https://x.test/r%20a.pdf' }, { data: png.data, url: 'https://x.test/r%20a.pdf', contentType: undefined })).toMatchObject({ fileName: 'r a.pdf', mimetype: 'application/octet-stream' });
    expect(() => toContent({ type: 'image', url: 'https://x.test/a.png' })).toThrow(/fetched/);
    expect(() => toContent({ type: 'text', text: '' })).toThrow();
  });
  it('maps incoming text, skips our own messages', () => {
    const msg = { key: { id: 'M1', remoteJid: '15550002222@s.whatsapp.net', fromMe: false }, message: { conversation: 'hello' }, messageTimestamp: 1_700_000_000, pushName: 'Ann' };
    expect(toIncoming(msg as never)).toEqual({ id: 'M1', from: '15550002222@s.whatsapp.net', timestamp: new Date(1_700_000_000_000).toISOString(), type: 'text', text: 'hello', pushName: 'Ann' });
    expect(toIncoming({ ...msg, key: { ...msg.key, fromMe: true } } as never)).toBeNull();
    expect(receiptStatus(3)).toBe('delivered');
    expect(receiptStatus(4)).toBe('read');
    expect(receiptStatus(99)).toBeNull();
  });
});

describe('startup arguments and init', () => {
  const init: HostInit = {
    type: 'init', protocol: IPC_PROTOCOL_VERSION, sessionId: 's1', workerId: 'w', dataDir: '/tmp/x',
    storage: { driver: 'local', dataDir: '/tmp/x' }, storageTimeoutMs: 1000, encryptionKeys: [], qrMaxAttempts: 3, logLevel: 'info', isRecovery: false,
  };
  it('takes the session id from argv and validates it', () => {
    expect(sessionIdFromArgv(['node', 'main.js', '--session', 'abc_1'])).toBe('abc_1');
    expect(() => sessionIdFromArgv(['node', 'main.js', '--session', '../x'])).toThrow();
  });
  it('rejects an init for another session or protocol', () => {
    expect(validateInit(init, 's1')).toBe(init);
    expect(() => validateInit(init, 's2')).toThrow(/sessionId/);
    expect(() => validateInit({ ...init, protocol: 99 }, 's1')).toThrow(/protocol/);
  });
  it('a spare (--spare) has no session until init, which must then name a valid one', () => {
    expect(startupRoleFromArgv(['node', 'main.js', SPARE_ARG, SPARE_TITLE_ROOM])).toEqual({ kind: 'spare' });
    expect(startupRoleFromArgv(['node', 'main.js', '--session', 'abc_1'])).toEqual({ kind: 'session', sessionId: 'abc_1' });
    expect(validateInit(init, undefined)).toBe(init);
    expect(() => validateInit({ ...init, sessionId: '../x' }, undefined)).toThrow(/sessionId invalid/);
    expect(() => validateInit({ ...init, sessionId: '' }, undefined)).toThrow(/sessionId invalid/);
  });
});
