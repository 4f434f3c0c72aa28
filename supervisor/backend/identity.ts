import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/index.js';
import type { WorkerIdentity } from './contract.js';

/** WORKER_VERSION, else the version in the project's package.json (found from src or dist). */
export function resolveWorkerVersion(configured: string | undefined): string {
  if (configured !== undefined) return configured;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'wa-gateway-worker' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

/** WORKER_ENDPOINT, else http://<hostname>:<PORT> (what design.md §10 promises). */
export function defaultEndpoint(config: Pick<Config, 'workerEndpoint' | 'port'>): string {
  return config.workerEndpoint ?? `http://${hostname()}:${config.port}`;
}

export function workerIdentity(config: Config, workerId: string, endpoint: string, environment: string): WorkerIdentity {
  const version = resolveWorkerVersion(config.workerVersion);
  return {
    workerId,
    endpoint,
    maxSessions: config.maxSessions,
    version,
    features: config.workerFeatures,
    environment,
    description: `wa-gateway-worker ${version} on ${hostname()}`,
  };
}
