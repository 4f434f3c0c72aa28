import { createHmac } from 'node:crypto';
import { errorCode } from '../../src/errors.js';
import type { OutboundEvent } from '../backend/contract.js';
import { BackendHttp } from '../backend/http.js';
import { webhookBody, webhookEventName } from '../backend/profiles/webhook.js';
import type { AttemptOutcome } from './delivery-policy.js';
import type { EventSink } from './sink.js';

export const SIGNATURE_HEADER = 'X-Webhook-Signature';

/** `sha256=<hex HMAC-SHA256 of the raw body>` — what a receiver recomputes and compares. */
export function signature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export interface WebhookSinkOptions {
  url: string;
  secret: string | undefined;
  workerId: string;
  timeoutMs: number;
  userAgent: string;
}

/**
 * The client webhook (WEBHOOK_URL): every event, each POSTed on its own with `Idempotency-Key`,
 * `X-Webhook-Event` and, when WEBHOOK_SECRET is set, `X-Webhook-Signature`. No rate limit of ours;
 * a 429 with Retry-After is honoured like any sink's.
 */
export function webhookSink(o: WebhookSinkOptions): EventSink {
  const target = new URL(o.url);
  const http = new BackendHttp({ baseUrl: target.origin, token: undefined, timeoutMs: o.timeoutMs, userAgent: o.userAgent });
  const path = `${target.pathname}${target.search}`;
  return {
    name: 'webhook',
    accepts: () => true,
    async send(e: OutboundEvent, key: string, signal: AbortSignal): Promise<AttemptOutcome> {
      const raw = JSON.stringify(webhookBody(o.workerId, e, key));
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Idempotency-Key': key, 'X-Webhook-Event': webhookEventName(e.kind) };
      if (o.secret !== undefined) headers[SIGNATURE_HEADER] = signature(o.secret, raw);
      try {
        const res = await http.send({ method: 'POST', path, headers, body: raw }, { operation: `webhook:${e.kind}`, signal });
        return { kind: 'answered', status: res.status, retryAfter: res.retryAfter };
      } catch (err) {
        return { kind: 'no-answer', code: errorCode(err) };
      }
    },
    coalesceStatus: false,
    ratePerMinute: 0,
    unknownOn404: () => false,
    priority: () => 'high',
  };
}
