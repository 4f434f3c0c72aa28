/**
 * Every metric the worker's own registry exports, in one table: name, type, help, labels and
 * buckets. The registry is built from it and the dashboard tests cross-check their PromQL against
 * it, so a renamed metric breaks a test instead of a panel. Names follow Prometheus conventions:
 * `wa_` prefix, base units (`_seconds`, `_bytes`), `_total` only on counters.
 */
export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricDef {
  readonly kind: MetricKind;
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
  /** Carries a `session` label; left out entirely when METRICS_PER_SESSION=false. */
  readonly perSession?: boolean;
}

function def<const D extends MetricDef>(d: D): D {
  return d;
}

export const METRICS = {
  workerInfo: def({ kind: 'gauge', name: 'wa_worker_info', help: 'Always 1; labels carry the worker id and version.', labels: ['version'] }),
  sessions: def({ kind: 'gauge', name: 'wa_sessions', help: 'Sessions on this worker by canonical status.', labels: ['status'] }),
  sessionReasons: def({ kind: 'gauge', name: 'wa_session_reasons', help: 'Sessions that show a reason (failed, recovering after a transient boot failure, pending logout, reconnecting through a failing proxy), by status and reason.', labels: ['status', 'reason'] }),
  hostStarts: def({ kind: 'counter', name: 'wa_host_starts_total', help: 'Session host processes forked.', labels: [] }),
  hostStartsBySource: def({
    kind: 'counter', name: 'wa_host_starts_by_source_total', labels: ['source'],
    help: 'The session host starts of wa_host_starts_total by where the process came from: a pre-booted spare (HOST_SPARES) or a fresh fork.',
  }),
  spareHosts: def({ kind: 'gauge', name: 'wa_spare_hosts', help: 'Pre-booted spare hosts (HOST_SPARES) waiting for a session start, by state (ready, booting).', labels: ['state'] }),
  spareHostsWanted: def({ kind: 'gauge', name: 'wa_spare_hosts_wanted', help: 'Spare hosts the pool keeps (HOST_SPARES).', labels: [] }),
  hostRestarts: def({ kind: 'counter', name: 'wa_host_restarts_total', help: 'Session hosts restarted by the supervisor, by reason.', labels: ['reason'] }),
  hostExits: def({ kind: 'counter', name: 'wa_host_exits_total', help: 'Session host exits by classified exit reason.', labels: ['exit_reason'] }),
  quarantines: def({ kind: 'counter', name: 'wa_crash_loop_quarantines_total', help: 'Sessions quarantined as failed after a crash loop.', labels: [] }),
  recoveryAttempts: def({ kind: 'counter', name: 'wa_recovery_attempts_total', help: 'Session recovery attempts after a worker start.', labels: [] }),
  recoveryResults: def({ kind: 'counter', name: 'wa_recovery_results_total', help: 'Session recovery outcomes by result and failure reason.', labels: ['result', 'reason'] }),
  recoveryDuration: def({
    kind: 'histogram', name: 'wa_recovery_duration_seconds', help: 'Time from the start of a session recovery to connected.', labels: [],
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
  }),
  recoveryRunSessions: def({
    kind: 'gauge', name: 'wa_recovery_run_sessions', labels: ['result', 'reason'],
    help: 'Sessions by outcome of this worker process\'s start-up recovery (a gauge: readable even when the recovery ended before the first scrape).',
  }),
  recoveryRunStart: def({ kind: 'gauge', name: 'wa_recovery_run_start_time_seconds', help: 'Unix time the start-up recovery of this worker process started; 0 before its first result.', labels: [] }),
  recoveryRunDuration: def({
    kind: 'gauge', name: 'wa_recovery_run_session_duration_seconds', labels: ['stat'],
    help: 'Time to connected of the sessions recovered by this worker process\'s start-up recovery: p50, p95 and max.',
  }),
  hostBoot: def({
    kind: 'histogram', name: 'wa_host_boot_duration_seconds', help: 'Time from session host process start to its ready message.', labels: [],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  }),
  socketReconnects: def({ kind: 'counter', name: 'wa_socket_reconnects_total', help: 'WhatsApp socket reconnects inside hosts, by Baileys close code.', labels: ['close_code'] }),
  qrIssued: def({ kind: 'counter', name: 'wa_qr_codes_issued_total', help: 'QR codes issued for pairing.', labels: [] }),
  pairingCodeIssued: def({ kind: 'counter', name: 'wa_pairing_codes_issued_total', help: 'Pairing codes issued for linking by phone number.', labels: [] }),
  heartbeats: def({ kind: 'counter', name: 'wa_heartbeats_total', help: 'Heartbeats sent to the backend, by result.', labels: ['result'] }),
  backendRequest: def({
    kind: 'histogram', name: 'wa_backend_request_duration_seconds', help: 'Backend request duration by route and HTTP status.', labels: ['route', 'status'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  storageOp: def({
    kind: 'histogram', name: 'wa_storage_operation_duration_seconds', help: 'Auth storage operation duration by operation and result.', labels: ['op', 'result'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
  }),
  storageBytes: def({ kind: 'counter', name: 'wa_storage_bytes_total', help: 'Bytes moved by auth storage operations.', labels: ['op'] }),
  storageFailures: def({ kind: 'counter', name: 'wa_storage_failures_total', help: 'Failed auth storage operations by operation and error code.', labels: ['op', 'code'] }),
  messages: def({ kind: 'counter', name: 'wa_messages_total', help: 'WhatsApp messages by direction, type and result.', labels: ['direction', 'type', 'result'] }),
  ipcBackpressure: def({ kind: 'counter', name: 'wa_ipc_send_backpressure_total', help: 'IPC sends to a host that hit backpressure (send returned false).', labels: [] }),
  hostsPss: def({ kind: 'gauge', name: 'wa_hosts_memory_pss_bytes', help: 'Proportional set size of all session hosts together.', labels: [] }),
  hostPss: def({ kind: 'gauge', name: 'wa_host_memory_pss_bytes', help: 'Proportional set size of one session host.', labels: ['session'], perSession: true }),
  hostCpu: def({ kind: 'counter', name: 'wa_host_cpu_seconds_total', help: 'CPU time (user + system) used by one session host.', labels: ['session'], perSession: true }),
  outboxEvents: def({ kind: 'counter', name: 'wa_outbox_events_total', help: 'Outbox event outcomes by sink, event kind and result (delivered, dead_lettered, unknown_message, coalesced, evicted, throttled, retried, replayed, lost, unsupported).', labels: ['sink', 'kind', 'result'] }),
  outboxPending: def({ kind: 'gauge', name: 'wa_outbox_events', help: 'Events held in the durable outbox, by state (pending, dead).', labels: ['state'] }),
  outboxBytes: def({ kind: 'gauge', name: 'wa_outbox_bytes', help: 'Payload bytes held in the durable outbox (what OUTBOX_MAX_BYTES limits).', labels: [] }),
  outboxAppend: def({
    kind: 'histogram', name: 'wa_outbox_append_duration_seconds', help: 'Time to persist one session event in the outbox (fsync included).', labels: [],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
  }),
  eventLoopLag: def({ kind: 'gauge', name: 'wa_supervisor_event_loop_lag_seconds', help: 'p99 event loop delay of the supervisor since the previous scrape.', labels: [] }),
  eventLoopLagMax: def({ kind: 'gauge', name: 'wa_supervisor_event_loop_lag_max_seconds', help: 'Largest event loop delay of the supervisor since the previous scrape.', labels: [] }),
} as const;

export type MetricKey = keyof typeof METRICS;

/** Names of all app metrics that a registry with the given setting exports. */
export function appMetricNames(options: { perSession: boolean }): string[] {
  return Object.values(METRICS).filter((m: MetricDef) => options.perSession || !m.perSession).map((m) => m.name);
}

/**
 * Series names a PromQL query may reference for each app metric: histograms expose `_bucket`,
 * `_sum` and `_count` rather than their base name.
 */
export function appSeriesNames(options: { perSession: boolean }): string[] {
  return Object.values(METRICS)
    .filter((m: MetricDef) => options.perSession || !m.perSession)
    .flatMap((m: MetricDef) => (m.kind === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name]));
}
