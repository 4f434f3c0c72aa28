import { randomBytes } from 'node:crypto';

/**
 * A WhatsApp message id in the shape Baileys gives its own (`3EB0` and 18 upper-case hex digits,
 * `generateMessageIDV2`). The supervisor picks the id of a send before the host sees it, so the id
 * can be recorded against an `Idempotency-Key` first: whatever happens next, a retry names the same
 * message and is never sent again.
 */
export function newMessageId(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}
