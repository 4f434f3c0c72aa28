import type { Metrics } from '../../supervisor/metrics/registry.js';

/**
 * What a worker with a few live sessions records in its first minutes: recovery of three
 * sessions (one needs a QR), a crash and restart, reconnects, backend and storage traffic.
 */
export function recordRealisticSamples(m: Metrics): void {
  for (const id of ['alice', 'bob', 'carol']) {
    m.hostStarted(id);
    m.recoveryAttempt();
    m.observeHostBoot(0.35);
  }
  m.recoveryResult('recovered');
  m.recoveryResult('recovered');
  m.recoveryResult('failed', 'no_auth');
  m.observeRecoveryDuration(1.8);
  m.observeRecoveryDuration(4.2);
  m.hostExited('crash');
  m.hostRestarted('crash');
  m.hostStarted('bob', 'spare');
  m.hostExited('logged_out');
  m.socketReconnect(515);
  m.socketReconnect(428);
  m.socketReconnect(428);
  m.qrIssued();
  m.heartbeat('ok');
  m.heartbeat('ok');
  m.heartbeat('timeout');
  m.observeBackendRequest('register', 200, 0.042);
  m.observeBackendRequest('heartbeat', 200, 0.015);
  m.observeBackendRequest('heartbeat', 'timeout', 10);
  m.observeBackendRequest('session-status', 503, 0.2);
  m.storageOp({ op: 'download', ok: true, durationMs: 31, bytes: 18_432 });
  m.storageOp({ op: 'upload', ok: true, durationMs: 54, bytes: 18_944 });
  m.storageOp({ op: 'upload', ok: false, durationMs: 15_000, bytes: 0, errorCode: 'STORAGE_TIMEOUT' });
  m.message('in', 'text', 'ok', 4);
  m.message('out', 'text', 'ok');
  m.message('out', 'image', 'failed');
  m.ipcBackpressure();
  m.setCollector(() => ({
    sessionsByStatus: { connected: 2, qr_required: 1, logged_out: 1 },
    spares: { wanted: 2, ready: 1, booting: 1 },
    hosts: [
      { sessionId: 'alice', pssBytes: 61_000_000, cpuSeconds: 2.5 },
      { sessionId: 'bob', pssBytes: 58_500_000, cpuSeconds: 1.25 },
      { sessionId: 'carol', pssBytes: 40_000_000, cpuSeconds: 0.5 },
    ],
  }));
}
