import type { SessionView } from '../../src/session-view.js';

/** The seed heartbeat's `recoveryStats`, counted from the sessions as they are now (pure). */
export interface RecoveryStats {
  total: number;
  recovered: number;
  connected: number;
  failed: number;
  qr_required: number;
}

export function recoveryStats(sessions: readonly SessionView[]): RecoveryStats {
  const stats: RecoveryStats = { total: 0, recovered: 0, connected: 0, failed: 0, qr_required: 0 };
  for (const s of sessions) {
    stats.total += 1;
    if (s.isRecovered) stats.recovered += 1;
    if (s.status === 'connected') stats.connected += 1;
    if (s.status === 'failed') stats.failed += 1;
    // a session waiting for a pairing code needs a person just like one waiting for a QR scan
    if (s.status === 'qr_required' || s.status === 'pairing_code_required') stats.qr_required += 1;
  }
  return stats;
}
