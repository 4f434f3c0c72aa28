import { BufferJSON } from '@whiskeysockets/baileys';

/**
 * File naming and (de)serialisation of the auth folder. The names match Baileys'
 * `useMultiFileAuthState` (`creds.json`, `<type>-<id>.json` with `/`→`__` and `:`→`-`), so a
 * snapshot, the legacy layout of the original worker and a local folder are one format.
 */
export const CREDS_FILE = 'creds.json';
/** Beside the auth files, never inside a snapshot: the snapshot's own meta carries the generation. */
export const GENERATION_FILE = 'generation.json';

export function keyFileName(type: string, id: string): string {
  return `${type}-${id}`.replace(/\//g, '__').replace(/:/g, '-') + '.json';
}

/** Whether a file in the folder (or a snapshot) is auth data: not ours, not a temp file. */
export function isAuthFileName(name: string): boolean {
  return name.endsWith('.json') && !name.startsWith('.') && name !== GENERATION_FILE && !name.includes('/');
}

export function encodeValue(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, BufferJSON.replacer), 'utf8');
}

export function decodeValue<T = unknown>(bytes: Buffer): T {
  return JSON.parse(bytes.toString('utf8'), BufferJSON.reviver) as T;
}

/**
 * Paired creds: the keys Baileys needs to log in without a QR and the identity WhatsApp gave us.
 * Anything less is "no auth" and must never replace a good remote snapshot. Baileys'
 * `requestPairingCode` sets `me` to the phone's own JID before anything is linked; until the
 * pair-success brings the signed `account`, such creds are a pairing in progress, not a pairing.
 */
export function isPairedCreds(creds: unknown): boolean {
  if (!creds || typeof creds !== 'object') return false;
  const c = creds as { noiseKey?: { private?: unknown }; signedIdentityKey?: { private?: unknown }; me?: { id?: unknown } };
  return Boolean(c.noiseKey?.private) && Boolean(c.signedIdentityKey?.private) && typeof c.me?.id === 'string' && c.me.id.length > 0 && !isPairingCodePending(creds);
}

/** Baileys asked for a pairing code (`pairingCode`, `me` set) and no pair-success followed (no `account`). */
export function isPairingCodePending(creds: unknown): boolean {
  const c = creds as { pairingCode?: unknown; account?: unknown } | null;
  return typeof c?.pairingCode === 'string' && !c.account;
}

/** Pure check of a whole folder's content: is there a paired `creds.json` in it? */
export function hasPairedCreds(files: Map<string, Buffer>): boolean {
  const raw = files.get(CREDS_FILE);
  if (!raw) return false;
  try {
    return isPairedCreds(decodeValue(raw));
  } catch {
    return false;
  }
}

/** Digits of the account's phone number from `creds.me.id` (`15550001111:3@s.whatsapp.net`). */
export function phoneFromJid(jid: string | undefined): string | undefined {
  if (!jid) return undefined;
  const user = jid.split('@')[0]?.split(':')[0] ?? '';
  return /^\d{5,20}$/.test(user) ? user : undefined;
}
