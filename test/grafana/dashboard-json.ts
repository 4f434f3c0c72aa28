/** Walks generated dashboard JSON (rows may nest panels) for the tests. */
export const DASHBOARDS_DIR_RELATIVE = 'grafana/dashboards';

export interface PanelJson {
  type: string;
  title: string;
  panels?: PanelJson[];
  targets?: Array<{ expr?: string; datasource?: unknown }>;
}

export function dashboardPanels(dashboard: Record<string, unknown>): PanelJson[] {
  const top = (dashboard.panels ?? []) as PanelJson[];
  return top.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
}

export function dashboardTargets(dashboard: Record<string, unknown>): Array<{ panel: string; expr: string; datasource: unknown }> {
  return dashboardPanels(dashboard).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '', datasource: t.datasource })));
}
