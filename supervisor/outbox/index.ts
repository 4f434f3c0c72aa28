import type { Config } from '../../src/config/index.js';
import type { Logger } from '../../src/logger.js';
import type { BackendIntegration } from '../backend/index.js';
import { EventOutbox, type OutboxMetrics } from './outbox.js';
import type { EventSink } from './sink.js';
import { webhookSink } from './webhook-sink.js';

export { EventOutbox, type OutboxStats, type DeadLetter, type OutboxMetrics } from './outbox.js';

export interface CreateOutboxDeps {
  config: Config;
  /** Absolute DATA_DIR. */
  dataDir: string;
  logger: Logger;
  workerId: string;
  version: string;
  backend: BackendIntegration | null;
  metrics?: OutboxMetrics;
  /** Tests shorten the retry backoff. */
  retry?: { minMs: number; maxMs: number };
}

/**
 * The outbox with every configured sink: the backend's webhooks (backend mode) and the client
 * webhook (WEBHOOK_URL, any mode). With no sink (standalone without WEBHOOK_URL) nothing is
 * stored; the live feed (GET /api/events/stream) still carries every event.
 */
export function createOutbox(deps: CreateOutboxDeps): EventOutbox {
  const { config, logger } = deps;
  const sinks: EventSink[] = [];
  if (deps.backend) sinks.push(deps.backend.eventSink());
  if (config.webhookUrl !== undefined) {
    sinks.push(webhookSink({ url: config.webhookUrl, secret: config.webhookSecret, workerId: deps.workerId, timeoutMs: config.backendTimeout, userAgent: `wa-gateway-worker/${deps.version}` }));
    if (config.webhookSecret === undefined) logger.warn('WEBHOOK_URL is set without WEBHOOK_SECRET: webhook calls are not signed');
  }
  if (deps.backend?.profile.name === 'whatsam' && config.webhookUrl === undefined) {
    logger.warn('BACKEND_PROFILE=whatsam has no webhook for incoming messages: set WEBHOOK_URL to receive them');
  }
  const retry = deps.retry ?? deps.backend?.eventRetry() ?? { minMs: 500, maxMs: 30_000 };
  return new EventOutbox({
    dataDir: deps.dataDir,
    workerId: deps.workerId,
    sinks,
    logger,
    maxBytes: config.outboxMaxBytes,
    rejectRetries: config.outboxRejectRetries,
    sync: config.outboxSync,
    retryMinMs: retry.minMs,
    retryMaxMs: retry.maxMs,
    metrics: deps.metrics,
  });
}
