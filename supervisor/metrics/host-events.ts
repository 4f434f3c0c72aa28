/**
 * Turns the metric-bearing IPC events of a session host that never become session events
 * (`ready`, `reconnect`, `storage-op`) into recorder calls: the supervisor wires one line
 * (`recordHostEvent(metrics, msg)`) into its host message handler. QR codes, incoming messages
 * and recovery results are counted from session events instead (session-events.ts), so nothing
 * is counted twice; `wa_sessions` is a scrape-time gauge.
 */
import type { HostToSupervisor } from '../../src/ipc/protocol.js';
import type { Metrics } from './registry.js';

/** Returns true when the message fed a metric (useful to tests and debug logs). */
export function recordHostEvent(metrics: Metrics, msg: HostToSupervisor): boolean {
  switch (msg.type) {
    case 'ready':
      metrics.observeHostBoot(msg.bootMs / 1000);
      return true;
    case 'reconnect':
      metrics.socketReconnect(msg.closeCode);
      return true;
    case 'storage-op':
      metrics.storageOp(msg);
      return true;
    // `snapshot` duplicates the upload's `storage-op`; counting both would double the bytes.
    // `qr` and `message-in` are counted from session events (session-events.ts).
    default:
      return false;
  }
}
