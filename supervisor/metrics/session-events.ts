/**
 * Counts what the supervisor's session events say happened: recovery results, QR codes, incoming
 * messages and crash-loop quarantines. The registry fans these events out to subscribers, so
 * wiring is one `subscribe` (see `attachSessionMetrics`).
 */
import type { SessionEvent } from '../../src/session-view.js';
import type { Metrics } from './registry.js';

export function recordSessionEvent(metrics: Metrics, event: SessionEvent): void {
  switch (event.kind) {
    case 'recovery': {
      const r = event.result;
      // A skipped session (stopped or ended before) was never attempted: it must not lower the
      // recovery rate, which is recovered / attempted.
      if (r.outcome !== 'skipped') metrics.recoveryAttempt();
      metrics.recoveryResult(r.outcome, r.reason);
      if (r.outcome === 'recovered') metrics.observeRecoveryDuration(r.durationMs / 1000);
      metrics.recoveryRunResult(r.outcome, r.reason, (Date.parse(r.at) - r.durationMs) / 1000, r.outcome === 'recovered' ? r.durationMs / 1000 : undefined);
      return;
    }
    case 'qr':
      metrics.qrIssued();
      return;
    case 'pairing-code':
      metrics.pairingCodeIssued();
      return;
    case 'message-in': {
      const byType = new Map<string, number>();
      for (const m of event.messages) byType.set(m.type, (byType.get(m.type) ?? 0) + 1);
      for (const [type, n] of byType) metrics.message('in', type, 'ok', n);
      return;
    }
    case 'status':
      if (event.status === 'failed' && event.reason === 'crash_loop' && event.previous !== 'failed') metrics.quarantined();
      return;
    default:
      return;
  }
}
