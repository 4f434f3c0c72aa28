import { hostname } from 'node:os';
import type { Config } from '../../src/config/index.js';
import { workerVersion } from '../../src/version.js';
import type { WorkerIdentity } from './contract.js';

/** WORKER_ENDPOINT, else http://<hostname>:<PORT> (what design.md §10 promises). */
export function defaultEndpoint(config: Pick<Config, 'workerEndpoint' | 'port'>): string {
  return config.workerEndpoint ?? `http://${hostname()}:${config.port}`;
}

export function workerIdentity(config: Config, workerId: string, endpoint: string, environment: string): WorkerIdentity {
  const version = workerVersion(config.workerVersion);
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
