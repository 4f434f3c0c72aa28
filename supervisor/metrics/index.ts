export { createMetrics, Metrics, type CollectedState, type Collector, type HostResources, type MetricsOptions, type Scrape } from './registry.js';
export { registerMetricsRoute, type MetricsRouteOptions } from './route.js';
export { recordHostEvent } from './host-events.js';
export { recordSessionEvent } from './session-events.js';
export { attachSessionMetrics, collectSessions, type SessionSource } from './collector.js';
export { METRICS, appMetricNames, appSeriesNames, type MetricDef } from './definitions.js';
export type { RestartReason, RecoveryResult, HeartbeatResult, MessageDirection, MessageResult } from './labels.js';
export { backendObserver, type BackendMetricsObserver } from './backend-observer.js';
export { accountRestart, crashRestartReason, type RestartAccounting } from './restart-accounting.js';
