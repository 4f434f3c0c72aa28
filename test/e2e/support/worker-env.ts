/**
 * Pure: the environment of the worker under test, from the parts of the e2e world. One place, so
 * every scenario runs the supervisor the way an operator would configure it — remote storage on
 * an S3 server, a backend, the simulator's WebSocket URL — with timings short enough for tests.
 */
export interface WorkerEnvInput {
  dataDir: string;
  workerId: string;
  /** From `sim.childEnv()`: the simulator's URL and the preload's root key. */
  simEnv: Record<string, string>;
  s3: { host: string; port: number; accessKey: string; secretKey: string; bucket: string };
  /** Fake backend base URL and token; omitted = standalone. */
  backend?: { url: string; token: string } | undefined;
  /** Scenario-specific overrides (e.g. a higher restart intensity for the random-kill run). */
  extra?: Record<string, string> | undefined;
}

export function workerEnv(input: WorkerEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    ...input.simEnv,
    DATA_DIR: input.dataDir,
    WORKER_ID: input.workerId,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    LOG_PRETTY: 'false',
    STORAGE_DRIVER: 'minio',
    MINIO_ENDPOINT: input.s3.host,
    MINIO_PORT: String(input.s3.port),
    MINIO_USE_SSL: 'false',
    MINIO_ACCESS_KEY: input.s3.accessKey,
    MINIO_SECRET_KEY: input.s3.secretKey,
    MINIO_BUCKET: input.s3.bucket,
    STORAGE_TIMEOUT: '10000',
    // Generous: two shared cores, several agents' tests, up to ten hosts booting together.
    RECOVERY_TIMEOUT: '60000',
    RECOVERY_CONCURRENCY: '10',
    HOST_STOP_TIMEOUT_MS: '8000',
    HEARTBEAT_INTERVAL: '1000',
    HEARTBEAT_TIMEOUT: '1000',
    ASSIGNMENT_POLL_INTERVAL: '1000',
    BACKEND_TIMEOUT: '3000',
    WORKER_VERSION: '9.9.9-e2e',
  };
  if (input.backend) {
    env.BACKEND_URL = input.backend.url;
    env.BACKEND_PROFILE = 'seed';
    env.WORKER_AUTH_TOKEN = input.backend.token;
    env.WORKER_ENDPOINT = 'http://127.0.0.1:1';
  }
  return { ...env, ...input.extra };
}
