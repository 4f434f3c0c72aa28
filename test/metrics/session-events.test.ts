import { afterEach, describe, expect, it } from 'vitest';
import type { RecoveryResult, SessionEvent } from '../../src/session-view.js';
import { recordSessionEvent } from '../../supervisor/metrics/session-events.js';
import { collectSessions } from '../../supervisor/metrics/collector.js';
import { createMetrics, type Metrics } from '../../supervisor/metrics/registry.js';
import { valueOf } from './exposition.js';

let m: Metrics;
afterEach(() => m.close());
const at = '2026-01-01T00:00:00.000Z';

function recovery(sessionId: string, outcome: RecoveryResult['outcome'], extra: Partial<RecoveryResult> = {}): SessionEvent {
  return { kind: 'recovery', sessionId, result: { sessionId, outcome, status: 'connected', phoneNumber: null, attempts: 1, durationMs: 1500, at, ...extra } };
}

describe('recordSessionEvent', () => {
  it('counts recovery attempts and results; skipped sessions are not attempts', async () => {
    m = createMetrics({ perSession: true, defaultMetrics: false });
    recordSessionEvent(m, recovery('a', 'recovered'));
    recordSessionEvent(m, recovery('b', 'recovered', { durationMs: 4000 }));
    recordSessionEvent(m, recovery('c', 'failed', { status: 'qr_required', reason: 'auth_expired' }));
    recordSessionEvent(m, recovery('d', 'skipped', { status: 'disconnected' }));
    const text = await m.appText();
    expect(valueOf(text, 'wa_recovery_attempts_total')).toBe(3);
    expect(valueOf(text, 'wa_recovery_results_total', { result: 'recovered', reason: 'none' })).toBe(2);
    expect(valueOf(text, 'wa_recovery_results_total', { result: 'failed', reason: 'auth_expired' })).toBe(1);
    expect(valueOf(text, 'wa_recovery_results_total', { result: 'skipped', reason: 'none' })).toBe(1);
    expect(valueOf(text, 'wa_recovery_duration_seconds_count')).toBe(2);
    expect(valueOf(text, 'wa_recovery_duration_seconds_sum')).toBeCloseTo(5.5);
  });

  it('keeps the start-up run as gauges, readable from one scrape taken after the run ended', async () => {
    m = createMetrics({ perSession: true, defaultMetrics: false });
    recordSessionEvent(m, recovery('a', 'recovered'));
    recordSessionEvent(m, recovery('b', 'recovered', { durationMs: 4000 }));
    recordSessionEvent(m, recovery('c', 'failed', { status: 'qr_required', reason: 'auth_expired', durationMs: 9000 }));
    recordSessionEvent(m, recovery('d', 'skipped', { status: 'disconnected', durationMs: 0 }));
    const text = await m.appText();
    expect(valueOf(text, 'wa_recovery_run_sessions', { result: 'recovered', reason: 'none' })).toBe(2);
    expect(valueOf(text, 'wa_recovery_run_sessions', { result: 'failed', reason: 'auth_expired' })).toBe(1);
    expect(valueOf(text, 'wa_recovery_run_sessions', { result: 'skipped', reason: 'none' })).toBe(1);
    // The earliest session start: `at` minus the longest duration.
    expect(valueOf(text, 'wa_recovery_run_start_time_seconds')).toBe(Date.parse(at) / 1000 - 9);
    expect(valueOf(text, 'wa_recovery_run_session_duration_seconds', { stat: 'p50' })).toBe(1.5);
    expect(valueOf(text, 'wa_recovery_run_session_duration_seconds', { stat: 'max' })).toBe(4);
  });

  it('exports the run gauges before any result: recovered 0 and no start time', async () => {
    m = createMetrics({ perSession: true, defaultMetrics: false });
    const text = await m.appText();
    expect(valueOf(text, 'wa_recovery_run_sessions', { result: 'recovered', reason: 'none' })).toBe(0);
    expect(valueOf(text, 'wa_recovery_run_start_time_seconds')).toBe(0);
  });

  it('counts QR codes, incoming messages by type and each crash-loop quarantine once', async () => {
    m = createMetrics({ perSession: true, defaultMetrics: false });
    recordSessionEvent(m, { kind: 'qr', sessionId: 'a', qr: '2@x', expiresAt: at, attempt: 1, at });
    recordSessionEvent(m, { kind: 'message-in', sessionId: 'a', messages: [
      { id: '1', from: 'x', timestamp: at, type: 'text' }, { id: '2', from: 'x', timestamp: at, type: 'text' }, { id: '3', from: 'x', timestamp: at, type: 'sticker' },
    ] });
    const quarantine: SessionEvent = { kind: 'status', sessionId: 'a', status: 'failed', previous: 'starting', reason: 'crash_loop', phoneNumber: null, at };
    recordSessionEvent(m, quarantine);
    recordSessionEvent(m, { ...quarantine, previous: 'failed' });
    recordSessionEvent(m, { kind: 'status', sessionId: 'b', status: 'failed', previous: 'connecting', reason: 'bad_session', phoneNumber: null, at });
    const text = await m.appText();
    expect(valueOf(text, 'wa_qr_codes_issued_total')).toBe(1);
    expect(valueOf(text, 'wa_messages_total', { direction: 'in', type: 'text', result: 'ok' })).toBe(2);
    expect(valueOf(text, 'wa_messages_total', { direction: 'in', type: 'sticker', result: 'ok' })).toBe(1);
    expect(valueOf(text, 'wa_crash_loop_quarantines_total')).toBe(1);
  });
});

describe('collectSessions', () => {
  it('counts statuses and passes host samples through', () => {
    const state = collectSessions(
      [{ sessionId: 'a', status: 'connected' }, { sessionId: 'b', status: 'connected' }, { sessionId: 'c', status: 'failed' }],
      new Map([['a', { pssBytes: 100, cpuSeconds: 2 }]]),
    );
    expect(state.sessionsByStatus).toEqual({ connected: 2, failed: 1 });
    expect(state.hosts).toEqual([{ sessionId: 'a', pssBytes: 100, cpuSeconds: 2 }]);
  });

  it('counts the reasons sessions show, so a banned number (forbidden) is its own series', async () => {
    const state = collectSessions(
      [
        { sessionId: 'a', status: 'connected', reason: null },
        { sessionId: 'b', status: 'failed', reason: 'forbidden' },
        { sessionId: 'c', status: 'failed', reason: 'bad_session' },
        { sessionId: 'd', status: 'failed', reason: 'forbidden' },
      ],
      new Map(),
    );
    expect(state.sessionsByReason).toEqual([
      { status: 'failed', reason: 'forbidden', count: 2 },
      { status: 'failed', reason: 'bad_session', count: 1 },
    ]);
    m = createMetrics({ perSession: true, defaultMetrics: false });
    m.setCollector(() => state);
    let text = await m.appText();
    expect(valueOf(text, 'wa_session_reasons', { status: 'failed', reason: 'forbidden' })).toBe(2);
    expect(valueOf(text, 'wa_session_reasons', { status: 'failed', reason: 'bad_session' })).toBe(1);
    // A reason no session shows any more is gone, not stuck at its last value.
    m.setCollector(() => collectSessions([{ sessionId: 'b', status: 'failed', reason: 'forbidden' }], new Map()));
    text = await m.appText();
    expect(valueOf(text, 'wa_session_reasons', { status: 'failed', reason: 'bad_session' })).toBeUndefined();
  });
});
