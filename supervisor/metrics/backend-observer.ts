/**
 * The backend client's metrics hooks (supervisor/backend/integration.ts `BackendObserver`):
 * request durations by contract operation and HTTP status, heartbeat results.
 */
import type { HeartbeatResult } from './labels.js';
import type { Metrics } from './registry.js';

export interface BackendMetricsObserver {
  request(operation: string, status: number | 'timeout' | 'network_error', seconds: number): void;
  heartbeat(result: HeartbeatResult): void;
}

export function backendObserver(metrics: Metrics): BackendMetricsObserver {
  return {
    request: (operation, status, seconds) => metrics.observeBackendRequest(operation, status, seconds),
    heartbeat: (result) => metrics.heartbeat(result),
  };
}
