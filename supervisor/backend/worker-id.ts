import { resolveWorkerId } from '../../src/worker-id.js';

/**
 * The worker's identity towards the backend: the one persistent id of `src/worker-id.ts`
 * (WORKER_ID, or generated once and kept in DATA_DIR). Never a new id per start.
 */
export async function loadOrCreateWorkerId(dataDir: string, configured: string | undefined): Promise<string> {
  return (await resolveWorkerId(dataDir, configured)).workerId;
}
