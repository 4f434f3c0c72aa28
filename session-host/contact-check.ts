import { withDeadline } from '../src/deadline.js';
import { errorCode, WorkerError } from '../src/errors.js';
import type { ContactCheck } from '../src/ipc/protocol.js';
import type { Logger } from '../src/logger.js';
import { toJid } from './message-map.js';

/**
 * Number checks (issue 19 §3): is a phone number on WhatsApp, and under which JID. One Baileys
 * `onWhatsApp` usync query per number, remembered for a while so that a check followed by a send,
 * or a burst of sends to the same number, asks WhatsApp once. The cache is pure (clock injected).
 */
export const DEFAULT_CONTACT_CACHE_TTL_MS = 600_000;
/** A usync query answers in well under a second; Baileys' own query timeout is a minute. */
const LOOKUP_TIMEOUT_MS = 10_000;
/** Bounded memory: a host that checks many numbers forgets the oldest first. */
const MAX_ENTRIES = 5_000;

export class ContactCache {
  private readonly entries = new Map<string, { check: ContactCheck; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(phone: string): ContactCheck | undefined {
    const entry = this.entries.get(phone);
    if (!entry) return undefined;
    if (this.now() - entry.at >= this.ttlMs) {
      this.entries.delete(phone);
      return undefined;
    }
    return entry.check;
  }

  set(check: ContactCheck): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(check.phone);
    this.entries.set(check.phone, { check, at: this.now() });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** What `onWhatsApp` needs of a socket (structural, so a test can stand in for it). */
export interface ContactSocket {
  onWhatsApp(...jids: string[]): Promise<Array<{ jid: string; exists: unknown }> | undefined>;
}

/** Pure: the digits of a phone-number JID (`<digits>@s.whatsapp.net`), or undefined for any other JID. */
export function phoneOfJid(jid: string): string | undefined {
  const m = /^(\d{5,20})@s\.whatsapp\.net$/.exec(jid);
  return m?.[1];
}

/**
 * Checks `phone` (digits) through the cache. NOT_CONNECTED without a socket; CONTACT_CHECK_FAILED
 * when WhatsApp does not answer in time or answers with an error. Baileys lists only the numbers
 * that exist, so an empty answer means "not on WhatsApp".
 */
export async function checkContact(sock: ContactSocket | undefined, cache: ContactCache, phone: string): Promise<ContactCheck> {
  const cached = cache.get(phone);
  if (cached) return cached;
  if (!sock) throw new WorkerError('NOT_CONNECTED', 'the session is not connected to WhatsApp');
  let answer: Awaited<ReturnType<ContactSocket['onWhatsApp']>>;
  try {
    answer = await withDeadline(sock.onWhatsApp(`${phone}@s.whatsapp.net`), LOOKUP_TIMEOUT_MS, () => new WorkerError('CONTACT_CHECK_FAILED', `WhatsApp did not answer the number check within ${LOOKUP_TIMEOUT_MS} ms`));
  } catch (err) {
    if (err instanceof WorkerError) throw err;
    throw new WorkerError('CONTACT_CHECK_FAILED', `the number check failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  // One number asked, so any entry is its answer; WhatsApp may return a JID that differs from the
  // digits asked (e.g. a Brazilian number without or with its ninth digit), which is why it is reported.
  const found = (answer ?? []).find((r) => r.exists === true);
  const check: ContactCheck = { phone, exists: found !== undefined, jid: found ? found.jid : null };
  cache.set(check);
  return check;
}

/**
 * Before a send: a phone number that WhatsApp says is not on WhatsApp fails
 * RECIPIENT_NOT_ON_WHATSAPP before anything is recorded or sent (Baileys would "send" it into the
 * void). Only a definite "absent" refuses: a check that fails (no socket, no answer in time) lets
 * the send go on and answer as it always did.
 */
export async function assertOnWhatsApp(sock: ContactSocket | undefined, cache: ContactCache, to: string, logger: Logger): Promise<void> {
  let phone: string | undefined;
  try {
    phone = phoneOfJid(toJid(to));
  } catch {
    return; // an invalid recipient: the send itself answers INVALID_RECIPIENT
  }
  if (phone === undefined) return; // groups, LIDs, broadcasts: nothing to check
  let check: ContactCheck;
  try {
    check = await checkContact(sock, cache, phone);
  } catch (err) {
    if (sock) logger.warn({ code: errorCode(err) }, 'number check before a send failed; sending anyway');
    return;
  }
  if (!check.exists) throw new WorkerError('RECIPIENT_NOT_ON_WHATSAPP', `${phone} is not on WhatsApp`, { details: { phone } });
}
