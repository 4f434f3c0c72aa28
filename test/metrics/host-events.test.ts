import { afterEach, describe, expect, it } from 'vitest';
import type { HostToSupervisor } from '../../src/ipc/protocol.js';
import { recordHostEvent } from '../../supervisor/metrics/host-events.js';
import { createMetrics, type Metrics } from '../../supervisor/metrics/registry.js';
import { valueOf } from './exposition.js';

let m: Metrics;
afterEach(() => m.close());

describe('recordHostEvent', () => {
  it('turns host-only IPC events into metrics', async () => {
    m = createMetrics({ perSession: true, defaultMetrics: false });
    const events: HostToSupervisor[] = [
      { type: 'ready', pid: 1, generation: 3, restoredFrom: 'remote', bootMs: 420 },
      { type: 'reconnect', closeCode: 428, attempt: 1, delayMs: 1000 },
      { type: 'reconnect', closeCode: 408, attempt: 2, delayMs: 2000 },
      { type: 'storage-op', op: 'upload', ok: true, durationMs: 40, bytes: 2048 },
      { type: 'storage-op', op: 'upload', ok: false, durationMs: 15000, bytes: 0, errorCode: 'STORAGE_TIMEOUT' },
    ];
    for (const e of events) expect(recordHostEvent(m, e), e.type).toBe(true);

    const text = await m.appText();
    expect(valueOf(text, 'wa_host_boot_duration_seconds_sum')).toBeCloseTo(0.42);
    expect(valueOf(text, 'wa_socket_reconnects_total', { close_code: '428' })).toBe(1);
    expect(valueOf(text, 'wa_socket_reconnects_total', { close_code: '408' })).toBe(1);
    expect(valueOf(text, 'wa_storage_operation_duration_seconds_count', { op: 'upload', result: 'ok' })).toBe(1);
    expect(valueOf(text, 'wa_storage_operation_duration_seconds_count', { op: 'upload', result: 'error' })).toBe(1);
    expect(valueOf(text, 'wa_storage_bytes_total', { op: 'upload' })).toBe(2048);
    expect(valueOf(text, 'wa_storage_failures_total', { op: 'upload', code: 'STORAGE_TIMEOUT' })).toBe(1);
  });

  it('leaves events that session events already count, and snapshots, alone', async () => {
    m = createMetrics({ perSession: true, defaultMetrics: false });
    const at = new Date().toISOString();
    expect(recordHostEvent(m, { type: 'qr', qr: '2@abc', attempt: 1, expiresAt: at })).toBe(false);
    expect(recordHostEvent(m, { type: 'message-in', messages: [{ id: '1', from: 'x', timestamp: at, type: 'text' }] })).toBe(false);
    expect(recordHostEvent(m, { type: 'status', status: 'connected', at })).toBe(false);
    expect(recordHostEvent(m, { type: 'snapshot', generation: 4, bytes: 2048, durationMs: 40, trigger: 'debounce' })).toBe(false);
    const text = await m.appText();
    expect(valueOf(text, 'wa_qr_codes_issued_total')).toBe(0);
    expect(valueOf(text, 'wa_storage_bytes_total', { op: 'upload' })).toBeUndefined();
  });
});
