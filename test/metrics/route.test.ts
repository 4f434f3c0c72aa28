import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../supervisor/metrics/registry.js';
import { registerMetricsRoute } from '../../supervisor/metrics/route.js';
import { valueOf } from './exposition.js';

const TOKEN = 'metrics-token-9f8e7d';
let app: FastifyInstance;
let metrics: Metrics;

async function serve(token?: string): Promise<string> {
  metrics = createMetrics({ perSession: true, workerId: 'w-route' });
  app = Fastify({ logger: false });
  registerMetricsRoute(app, { metrics, token });
  return app.listen({ host: '127.0.0.1', port: 0 });
}

afterEach(async () => {
  await app.close();
  metrics.close();
});

describe('GET /metrics over a real socket', () => {
  it('is open without METRICS_TOKEN and serves app and process metrics', async () => {
    const base = await serve(undefined);
    metrics.hostRestarted('crash');
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(valueOf(body, 'wa_host_restarts_total', { reason: 'crash' })).toBe(1);
    expect(body).toContain('process_cpu_user_seconds_total');
  });

  it('with METRICS_TOKEN, requires that bearer token', async () => {
    const base = await serve(TOKEN);
    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const envelope = (await none.json()) as { success: boolean; error: { code: string; message: string } };
    expect(envelope.success).toBe(false);
    expect(envelope.error.code).toBe('UNAUTHORIZED');
    expect(JSON.stringify(envelope)).not.toContain(TOKEN);

    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);

    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    const body = await ok.text();
    expect(body).toContain('wa_sessions{status="connected",worker="w-route"} 0');
    expect(body).not.toContain(TOKEN);
  });
});
