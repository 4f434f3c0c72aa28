/**
 * Small panel factories so the dashboard file reads as a list of questions an operator asks.
 * Every query targets the `${datasource}` variable, so the same JSON works with any Prometheus.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as BarGaugeBuilder } from '@grafana/grafana-foundation-sdk/bargauge';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Series {
  expr: string;
  legend: string;
}

function target(s: Series, refId: string, instant = false): DataqueryBuilder {
  const q = new DataqueryBuilder().datasource(DATASOURCE).expr(s.expr).legendFormat(s.legend).refId(refId);
  return instant ? q.instant() : q.range();
}

/** An extra range query for a panel that mixes units (paired with an override by refId). */
export function rangeTarget(s: Series, refId: string): DataqueryBuilder {
  return target(s, refId);
}

const REF_IDS = 'ABCDEFGHIJ';

export function timeseries(title: string, description: string, unit: string, series: Series[], options: { stacked?: boolean; width?: number } = {}): TimeseriesBuilder {
  const panel = new TimeseriesBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .height(8)
    .span(options.width ?? 12)
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true));
  if (options.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal)).fillOpacity(30);
  series.forEach((s, i) => panel.withTarget(target(s, REF_IDS[i]!)));
  return panel;
}

/** A single big number; `thresholds` are [value, color] steps above the base color. */
export function stat(title: string, description: string, unit: string, s: Series, base: string, steps: Array<[number, string]>, width = 6): StatBuilder {
  return new StatBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .height(5)
    .span(width)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Background)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
      { value: null, color: base },
      ...steps.map(([value, color]) => ({ value, color })),
    ]))
    .withTarget(target(s, 'A', true));
}

/** Horizontal bars of an instant query: "which sessions are the heaviest right now". */
export function topBars(title: string, description: string, unit: string, s: Series, width = 12): BarGaugeBuilder {
  return new BarGaugeBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .height(8)
    .span(width)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .withTarget(target(s, 'A', true));
}
