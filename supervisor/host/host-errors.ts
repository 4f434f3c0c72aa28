import { rebuildError } from '../../src/error-codes.js';
import { WorkerError } from '../../src/errors.js';
import type { IpcError } from '../../src/ipc/protocol.js';

/** Everything that can go wrong talking to one session host (codes: HOST_ERROR_CODES in src/error-codes.ts). */

export function hostExited(sessionId: string, pid: number | undefined): WorkerError {
  return new WorkerError('HOST_EXITED', `session host ${sessionId} (pid ${pid ?? '?'}) has exited`, { details: { sessionId, pid: pid ?? null } });
}

export function requestTimeout(sessionId: string, type: string, ms: number): WorkerError {
  return new WorkerError('HOST_REQUEST_TIMEOUT', `session host ${sessionId} did not answer ${type} within ${ms} ms`, { details: { sessionId, type, timeoutMs: ms } });
}

export function channelClosed(sessionId: string, cause?: unknown): WorkerError {
  return new WorkerError('HOST_CHANNEL_CLOSED', `IPC channel to session host ${sessionId} is closed (it has exited or disconnected)`, { cause, details: { sessionId } });
}

/** Rebuilds an error that crossed the IPC boundary as `{code, message}`. */
export function fromIpcError(error: IpcError): WorkerError {
  return rebuildError(error.code, error.message);
}
