/**
 * The operator's dashboard: did my sessions come back, how fast, and which one is misbehaving.
 * Built with the Grafana Foundation SDK; `grafana/build.ts` writes it to JSON for provisioning.
 */
import {
  DashboardBuilder, DashboardCursorSync, DatasourceVariableBuilder, QueryVariableBuilder, RowBuilder, VariableRefresh, VariableSort,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE, rangeTarget, stat, timeseries, topBars } from './panels.js';
import { Q } from './queries.js';

export const DASHBOARD_UID = 'wa-gateway-recovery';

export function buildRecoveryDashboard(): Dashboard {
  return new DashboardBuilder('WhatsApp gateway worker: recovery')
    .uid(DASHBOARD_UID)
    .description('Session recovery rate, supervision and dependencies of wa-gateway-worker.')
    .tags(['wa-gateway', 'generated'])
    .readonly()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(new QueryVariableBuilder('worker')
      .label('Worker')
      .datasource(DATASOURCE)
      .query({ query: Q.workerVariable, refId: 'WorkerVariable' })
      .definition(Q.workerVariable)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.*'))

    .withRow(new RowBuilder('Recovery'))
    .withPanel(stat('Recovery rate (latest start-up)', 'Sessions recovered / attempted by the latest start-up recovery of the selected workers seen in the range.', 'percentunit',
      { expr: Q.recoveryRateRange, legend: 'recovered / attempted' }, 'red', [[0.9, 'orange'], [0.99, 'green']]))
    .withPanel(stat('Connected sessions', 'Sessions currently connected to WhatsApp.', 'short',
      { expr: Q.sessionsConnected, legend: 'connected' }, 'blue', []))
    .withPanel(stat('Failed sessions', 'Sessions in failed status (crash loop, bad session, QR timeout...).', 'short',
      { expr: Q.sessionsFailed, legend: 'failed' }, 'green', [[1, 'red']]))
    .withPanel(stat('Crash-loop quarantines (range)', 'Sessions quarantined after too many restarts in the selected range.', 'short',
      { expr: Q.quarantinesRange, legend: 'quarantines' }, 'green', [[1, 'red']]))
    .withPanel(timeseries('Recovery rate (start-up run)', 'Recovered / attempted so far by each start-up recovery, as it progresses; the alert fires under 90% for 5 minutes within 30 minutes of a start.', 'percentunit',
      [{ expr: Q.recoveryRateNow, legend: 'recovered / attempted' }]))
    .withPanel(timeseries('Recovery results', 'Sessions by outcome and failure reason of the latest start-up recovery.', 'short',
      [{ expr: Q.recoveryResults, legend: '{{result}} {{reason}}' }], { stacked: true }))
    .withPanel(timeseries('Recovery and boot latency', 'Recovery (start to connected, latest start-up recovery) and host boot (start to ready, every boot) latency, p50 and p95.', 's', [
      { expr: Q.recoveryP50, legend: 'recovery p50' },
      { expr: Q.recoveryP95, legend: 'recovery p95' },
      { expr: Q.bootP50, legend: 'boot p50' },
      { expr: Q.bootP95, legend: 'boot p95' },
    ], { width: 24 }))

    .withRow(new RowBuilder('Sessions and hosts'))
    .withPanel(timeseries('Sessions by status', 'Sessions on the selected workers by canonical status.', 'short',
      [{ expr: Q.sessionsByStatus, legend: '{{status}}' }], { stacked: true }))
    .withPanel(timeseries('Restarts and quarantines', 'Host restarts by reason, host exits by exit reason, crash-loop quarantines.', 'short', [
      { expr: Q.restartsByReason, legend: 'restart {{reason}}' },
      { expr: Q.exitsByReason, legend: 'exit {{exit_reason}}' },
      { expr: Q.quarantines, legend: 'quarantine' },
    ]))
    .withPanel(topBars('Top hosts by memory (PSS)', 'The ten session hosts with the largest proportional set size (needs METRICS_PER_SESSION=true).', 'bytes',
      { expr: Q.topHostsMemory, legend: '{{session}}' }))
    .withPanel(topBars('Top hosts by CPU', 'The ten session hosts using the most CPU (needs METRICS_PER_SESSION=true).', 'percentunit',
      { expr: Q.topHostsCpu, legend: '{{session}}' }))
    .withPanel(timeseries('Socket reconnects and QR codes', 'WhatsApp socket reconnects by Baileys close code, and QR codes issued.', 'short', [
      { expr: Q.socketReconnects, legend: 'reconnect {{close_code}}' },
      { expr: Q.qrIssued, legend: 'QR issued' },
    ]))
    .withPanel(timeseries('Host memory (all hosts)', 'Sum of the PSS of every session host; works with METRICS_PER_SESSION=false.', 'bytes',
      [{ expr: Q.hostsMemoryTotal, legend: 'hosts PSS' }, { expr: Q.supervisorRss, legend: 'supervisor RSS' }]))

    .withRow(new RowBuilder('Backend and storage'))
    .withPanel(timeseries('Heartbeat and backend errors', 'Failed heartbeats by result and non-2xx backend responses by route and status.', 'short', [
      { expr: Q.heartbeatFailures, legend: 'heartbeat {{result}}' },
      { expr: Q.backendErrors, legend: '{{route}} {{status}}' },
    ]))
    .withPanel(timeseries('Backend latency p95', 'p95 backend request duration by route.', 's',
      [{ expr: Q.backendP95, legend: '{{route}}' }]))
    .withPanel(timeseries('Storage errors', 'Failed auth storage operations by operation and error code.', 'short',
      [{ expr: Q.storageFailures, legend: '{{op}} {{code}}' }]))
    .withPanel(timeseries('Storage latency p95 and throughput', 'p95 storage operation duration by operation, and bytes per second moved.', 's', [
      { expr: Q.storageP95, legend: 'p95 {{op}}' },
    ]).overrideByQuery('B', [{ id: 'unit', value: 'Bps' }]).withTarget(
      rangeTarget({ expr: Q.storageBytes, legend: '{{op}} bytes/s' }, 'B'),
    ))

    .withRow(new RowBuilder('Messages and supervisor'))
    .withPanel(timeseries('Message throughput', 'Messages per second by direction, type and result.', 'ops',
      [{ expr: Q.messageThroughput, legend: '{{direction}} {{type}} {{result}}' }], { stacked: true }))
    .withPanel(timeseries('Supervisor event loop and IPC backpressure', 'Supervisor event loop delay (p99 and max since previous scrape) and IPC sends that hit backpressure.', 's', [
      { expr: Q.eventLoopLag, legend: 'lag p99' },
      { expr: Q.eventLoopLagMax, legend: 'lag max' },
    ]).overrideByQuery('C', [{ id: 'unit', value: 'short' }]).withTarget(
      rangeTarget({ expr: Q.ipcBackpressure, legend: 'IPC backpressure' }, 'C'),
    ))
    .build();
}

