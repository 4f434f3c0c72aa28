import { describe, expect, it } from 'vitest';
import {
  closeCodeLabel, errorCodeLabel, exitReasonLabel, failureReasonLabel, httpStatusLabel, identifierLabel, messageTypeLabel,
  restartReasonLabel, statusLabel,
} from '../../supervisor/metrics/labels.js';

describe('metric label values stay bounded', () => {
  it('keeps known values and folds the rest into other', () => {
    expect(exitReasonLabel('crash')).toBe('crash');
    expect(exitReasonLabel('SIGKILL')).toBe('other');
    expect(restartReasonLabel('unresponsive')).toBe('unresponsive');
    expect(restartReasonLabel('because')).toBe('other');
    expect(statusLabel('qr_required')).toBe('qr_required');
    expect(statusLabel('CONNECTED')).toBe('other');
    expect(messageTypeLabel('image')).toBe('image');
    expect(messageTypeLabel('<script>')).toBe('other');
  });

  it('maps a missing failure reason to none and unknown ones to other', () => {
    expect(failureReasonLabel(undefined)).toBe('none');
    expect(failureReasonLabel('')).toBe('none');
    expect(failureReasonLabel('crash_loop')).toBe('crash_loop');
    expect(failureReasonLabel('a user-supplied string')).toBe('other');
  });

  it('accepts only small integer close codes', () => {
    expect(closeCodeLabel(428)).toBe('428');
    expect(closeCodeLabel(515)).toBe('515');
    expect(closeCodeLabel(undefined)).toBe('other');
    expect(closeCodeLabel(4.5)).toBe('other');
    expect(closeCodeLabel(1e9)).toBe('other');
    expect(closeCodeLabel(-1)).toBe('other');
  });

  it('accepts upper-snake error codes only', () => {
    expect(errorCodeLabel('STORAGE_TIMEOUT')).toBe('STORAGE_TIMEOUT');
    expect(errorCodeLabel('ECONNREFUSED')).toBe('ECONNREFUSED');
    expect(errorCodeLabel('connect ECONNREFUSED 127.0.0.1:9000')).toBe('OTHER');
    expect(errorCodeLabel(undefined)).toBe('OTHER');
    expect(errorCodeLabel('A'.repeat(60))).toBe('OTHER');
  });

  it('never lets a raw URL become a route or op label', () => {
    expect(identifierLabel('heartbeat')).toBe('heartbeat');
    expect(identifierLabel('recovery-status')).toBe('recovery-status');
    expect(identifierLabel('/api/admin/workers/w1/heartbeat')).toBe('other');
    expect(identifierLabel('sessions/abc/snapshot')).toBe('other');
  });

  it('renders HTTP statuses and failure classes', () => {
    expect(httpStatusLabel(200)).toBe('200');
    expect(httpStatusLabel(503)).toBe('503');
    expect(httpStatusLabel('timeout')).toBe('timeout');
    expect(httpStatusLabel('network_error')).toBe('network_error');
    expect(httpStatusLabel(42)).toBe('other');
    expect(httpStatusLabel('boom')).toBe('other');
  });
});
