import type { WireResponse, WorkerIdentity } from './contract.js';
import { BackendError } from './errors.js';

/**
 * The whatsam backend's registration refusals, read from its answer (pure). Its registerWorker
 * (`src/services/worker.service.js`) first GETs `${endpoint}/health` with a 5 s timeout and answers
 * 503 `{error: "Service Unavailable", message: "Worker endpoint is not reachable: …"}` when that is
 * not a 200; then 409 `{error: "Conflict"}` when another worker id holds the endpoint ("Endpoint X
 * is already registered by worker Y") or this id is registered with another endpoint ("Worker ID X
 * is already registered with endpoint Z"). Retrying changes none of them: an operator must fix
 * WORKER_ENDPOINT or the backend's record, so each becomes a code the worker shows in /health.
 */
export function whatsamRegistrationRefusal(res: WireResponse, identity: WorkerIdentity): BackendError | null {
  const said = backendMessage(res.data);
  const opts = { httpStatus: res.status, operation: 'register' };
  if (res.status === 503 && /worker (endpoint|connectivity)|to worker endpoint/i.test(said)) {
    return new BackendError(
      'BACKEND_HEALTH_PROBE_FAILED',
      `the backend refuses to register this worker: it could not reach WORKER_ENDPOINT ${identity.endpoint}/health (it allows 5 s and needs a 200): "${said}". Set WORKER_ENDPOINT to an address the backend can reach`,
      opts,
    );
  }
  if (res.status !== 409) return null;
  const byOther = /already registered by worker (\S+)/.exec(said);
  if (byOther) {
    return new BackendError(
      'BACKEND_ENDPOINT_CONFLICT',
      `the backend refuses to register this worker: WORKER_ENDPOINT ${identity.endpoint} is registered there by worker ${byOther[1]}. Give each worker its own WORKER_ENDPOINT, or remove worker ${byOther[1]} in the backend`,
      opts,
    );
  }
  const moved = /already registered with endpoint (\S+)/.exec(said);
  if (moved) {
    return new BackendError(
      'BACKEND_WORKER_ID_CONFLICT',
      `the backend refuses to register this worker: worker ${identity.workerId} is registered there with endpoint ${moved[1]}, and it refuses a changed endpoint. Set WORKER_ENDPOINT=${moved[1]}, or remove worker ${identity.workerId} in the backend`,
      opts,
    );
  }
  return new BackendError('BACKEND_ENDPOINT_CONFLICT', `the backend refuses to register this worker (HTTP 409): "${said}"`, opts);
}

/** Its error bodies carry the sentence in `message` (`error` is the class name), or `error.message`. */
function backendMessage(data: unknown): string {
  if (data === null || typeof data !== 'object') return '';
  const d = data as Record<string, unknown>;
  const nested = d.error !== null && typeof d.error === 'object' ? (d.error as Record<string, unknown>).message : undefined;
  const text = typeof d.message === 'string' ? d.message : typeof nested === 'string' ? nested : typeof d.error === 'string' ? d.error : '';
  return text.slice(0, 300);
}
