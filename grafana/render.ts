/** Dashboard files to provision: file name under grafana/dashboards/ → JSON text. Pure. */
import { buildRecoveryDashboard, DASHBOARD_UID } from './dashboard/recovery-dashboard.js';

export function renderDashboards(): Map<string, string> {
  return new Map([[`${DASHBOARD_UID}.json`, `${JSON.stringify(buildRecoveryDashboard(), null, 2)}\n`]]);
}
