import { describe, expect, it } from 'vitest';
import { metricNames, substituteGrafanaVariables } from './promql-names.js';

describe('metricNames', () => {
  it('finds metric names and skips functions, labels, keywords and durations', () => {
    expect(metricNames('sum by (status) (wa_sessions{worker=~"$worker"})')).toEqual(['wa_sessions']);
    expect(metricNames('histogram_quantile(0.95, sum by (le, route) (rate(wa_backend_request_duration_seconds_bucket{worker=~".*"}[5m])))'))
      .toEqual(['wa_backend_request_duration_seconds_bucket']);
    expect(metricNames('(sum(increase(a_total{result="recovered"}[15m])) or sum(increase(b_total[15m])) * 0) / clamp_min(sum(increase(b_total[15m])), 1)'))
      .toEqual(['a_total', 'b_total']);
    expect(metricNames('x > 0 unless on (worker) y_total > 0')).toEqual(['x', 'y_total']);
    expect(metricNames('absent(up{job="wa-gateway-worker"})')).toEqual(['up']);
    expect(metricNames('sum(rate(m{a="rate(fake_metric)"}[5m]))')).toEqual(['m']);
  });
});

describe('substituteGrafanaVariables', () => {
  it('replaces every Grafana variable the dashboard uses', () => {
    expect(substituteGrafanaVariables('rate(x{worker=~"$worker"}[$__rate_interval]) + increase(y[$__range]) + z[$__interval]'))
      .toBe('rate(x{worker=~".*"}[5m]) + increase(y[6h]) + z[1m]');
  });
});
