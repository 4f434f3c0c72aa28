/**
 * The PromQL behind every panel, in one place. `$worker` is the dashboard's worker variable (a
 * regex; "All" is `.*`), `$__rate_interval` and `$__range` are Grafana's built-in intervals.
 * Metric names here must exist in supervisor/metrics/definitions.ts (test/grafana checks it).
 */
const W = 'worker=~"$worker"';
const RI = '$__rate_interval';

/** `sum by (...) (rate(metric{worker, extra}[$__rate_interval]))` */
function rate(metric: string, by: string[] = [], extra = ''): string {
  const sel = extra ? `${W},${extra}` : W;
  const grouping = by.length ? ` by (${by.join(', ')})` : '';
  return `sum${grouping} (rate(${metric}{${sel}}[${RI}]))`;
}

function increase(metric: string, by: string[], extra = '', window = RI): string {
  const sel = extra ? `${W},${extra}` : W;
  const grouping = by.length ? ` by (${by.join(', ')})` : '';
  return `sum${grouping} (increase(${metric}{${sel}}[${window}]))`;
}

function quantile(q: number, histogram: string, by: string[] = [], extra = ''): string {
  const sel = extra ? `${W},${extra}` : W;
  return `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (rate(${histogram}_bucket{${sel}}[${RI}])))`;
}

/**
 * Recovered / attempted sessions of the latest start-up recovery, from the run's gauges (counters
 * cannot show a recovery that ends before the first scrape of a new process: see
 * supervisor/metrics/recovery-run.ts). Skipped sessions were never attempted. No `clamp_min`: a
 * worker that attempted nothing has no rate (empty), not a rate of 0.
 */
function recoveryRate(window?: string): string {
  const run = (extra: string): string => {
    const sel = `wa_recovery_run_sessions{${W},${extra}}`;
    return window ? `sum (last_over_time(${sel}[${window}]))` : `sum (${sel})`;
  };
  return `${run('result="recovered"')} / ${run('result!="skipped"')}`;
}

export const Q = {
  workerVariable: 'label_values(wa_worker_info, worker)',

  recoveryRateRange: recoveryRate('$__range'),
  recoveryRateNow: recoveryRate(),
  recoveryResults: `sum by (result, reason) (wa_recovery_run_sessions{${W}})`,
  recoveryP50: `max(wa_recovery_run_session_duration_seconds{${W},stat="p50"})`,
  recoveryP95: `max(wa_recovery_run_session_duration_seconds{${W},stat="p95"})`,
  bootP50: quantile(0.5, 'wa_host_boot_duration_seconds'),
  bootP95: quantile(0.95, 'wa_host_boot_duration_seconds'),

  sessionsByStatus: `sum by (status) (wa_sessions{${W}})`,
  sessionsConnected: `sum(wa_sessions{${W},status="connected"})`,
  sessionsFailed: `sum(wa_sessions{${W},status="failed"})`,
  restartsByReason: increase('wa_host_restarts_total', ['reason']),
  exitsByReason: increase('wa_host_exits_total', ['exit_reason']),
  quarantines: increase('wa_crash_loop_quarantines_total', []),
  quarantinesRange: increase('wa_crash_loop_quarantines_total', [], '', '$__range'),

  topHostsMemory: `topk(10, max by (session) (wa_host_memory_pss_bytes{${W}}))`,
  topHostsCpu: `topk(10, sum by (session) (rate(wa_host_cpu_seconds_total{${W}}[${RI}])))`,
  hostsMemoryTotal: `sum(wa_hosts_memory_pss_bytes{${W}})`,
  socketReconnects: increase('wa_socket_reconnects_total', ['close_code']),
  qrIssued: increase('wa_qr_codes_issued_total', []),

  heartbeatFailures: increase('wa_heartbeats_total', ['result'], 'result!="ok"'),
  backendErrors: rate('wa_backend_request_duration_seconds_count', ['route', 'status'], 'status!~"2.."'),
  backendP95: quantile(0.95, 'wa_backend_request_duration_seconds', ['route']),

  storageFailures: increase('wa_storage_failures_total', ['op', 'code']),
  storageP95: quantile(0.95, 'wa_storage_operation_duration_seconds', ['op']),
  storageBytes: rate('wa_storage_bytes_total', ['op']),

  messageThroughput: rate('wa_messages_total', ['direction', 'type', 'result']),
  ipcBackpressure: increase('wa_ipc_send_backpressure_total', []),
  eventLoopLag: `max(wa_supervisor_event_loop_lag_seconds{${W}})`,
  eventLoopLagMax: `max(wa_supervisor_event_loop_lag_max_seconds{${W}})`,
  supervisorRss: `sum(process_resident_memory_bytes{${W}})`,
} as const;
