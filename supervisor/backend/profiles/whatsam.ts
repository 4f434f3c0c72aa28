import { BackendError } from '../errors.js';
import type { BackendProfile } from '../contract.js';
import { objectField, parseAssignmentList } from '../parse-assignments.js';
import { whatsamRegistrationRefusal } from '../whatsam-refusal.js';
import {
  WHATSAM_MESSAGE_ID,
  WHATSAM_WORKER_ID,
  compact,
  toWhatsamMessageStatus,
  toWhatsamStatus,
  whatsamEnvironment,
  whatsamPhone,
  whatsamVersion,
  whatsamWorkerIdNormalForm,
} from '../whatsam-status.js';

/** whatsam caps maxSessions at 1000 in its validator; more would get the registration rejected. */
const WHATSAM_MAX_SESSIONS = 1000;
const QR_MAX = 2000;

/**
 * The `whatsam` contract (the open-source backend this worker replaces a worker for): upper-case
 * status enums, null fields omitted, worker id in the path. Its Joi validators strip unknown keys,
 * so only the fields it knows are sent.
 */
export const whatsamProfile: BackendProfile = {
  name: 'whatsam',

  checkIdentity(identity) {
    if (!WHATSAM_WORKER_ID.test(identity.workerId)) {
      throw new BackendError(
        'BACKEND_WORKER_ID_INVALID',
        `worker id ${JSON.stringify(identity.workerId)} is not accepted by the whatsam backend: expected [A-Za-z0-9_-]{3,50}`,
      );
    }
    // Registered under the normal form but addressed as given elsewhere, a worker would register
    // as one id and heartbeat or fetch assignments as another: refuse instead of guessing.
    const normal = whatsamWorkerIdNormalForm(identity.workerId);
    if (normal !== identity.workerId) {
      throw new BackendError(
        'BACKEND_WORKER_ID_INVALID',
        `worker id ${JSON.stringify(identity.workerId)} is not in the whatsam backend's normal form (lower case, "-" not "_", no repeated "-"): it would register as ${JSON.stringify(normal)} but be addressed as given in other calls; set WORKER_ID=${normal}`,
      );
    }
  },

  register(identity) {
    return {
      method: 'POST',
      path: '/api/workers/register',
      body: compact({
        workerId: identity.workerId,
        endpoint: identity.endpoint,
        maxSessions: Math.min(identity.maxSessions, WHATSAM_MAX_SESSIONS),
        description: identity.description.slice(0, 255),
        version: whatsamVersion(identity.version),
        environment: whatsamEnvironment(identity.environment),
      }),
    };
  },

  parseRegister(res) {
    const data = objectField(res.data, 'data');
    const required = objectField(data, 'recoveryRequired');
    const count = objectField(data, 'assignedSessionCount');
    return {
      isRecovery: typeof required === 'boolean' ? required : null,
      previousSessions: typeof count === 'number' ? count : null,
    };
  },

  // Its registration probes WORKER_ENDPOINT/health and refuses held endpoints (whatsam-refusal.ts).
  registrationRefusal: whatsamRegistrationRefusal,

  assignments(workerId) {
    return { method: 'GET', path: `/api/workers/${encodeURIComponent(workerId)}/sessions/assigned` };
  },

  // It answers `200 {sessions: []}` when none are assigned and 404 only when it does not know the
  // worker (database reset, admin delete): that 404 means "register again", never "release all".
  parseAssignments(res) {
    if (res.status === 404) {
      throw new BackendError('BACKEND_WORKER_UNKNOWN', 'assigned sessions: HTTP 404, the backend does not know this worker; registering again and keeping every session', {
        httpStatus: 404,
        operation: 'assignments',
      });
    }
    return parseAssignmentList(res);
  },

  recoveryReport(workerId, report) {
    // FAILED makes whatsam set the session to ERROR and drop it from the assignments (it lists only
    // CONNECTED, QR_REQUIRED, RECONNECTING and INIT): a session that only needs a new QR is SKIPPED
    // (status left alone) and its QR_REQUIRED status webhook tells the backend where it stands.
    const needsQr = (r: (typeof report.results)[number]) => r.outcome === 'failed' && (r.reason === 'auth_expired' || r.reason === 'no_auth');
    const recoveryResults = report.results.map((r) =>
      compact({
        sessionId: r.sessionId,
        status: r.outcome === 'recovered' ? 'SUCCESS' : needsQr(r) ? 'SKIPPED' : r.outcome === 'failed' ? 'FAILED' : 'SKIPPED',
        error: r.outcome === 'recovered' ? undefined : needsQr(r) ? `QR_REQUIRED (${r.reason}): waiting for a new scan` : (r.error ?? r.reason),
        recoveredAt: r.outcome === 'recovered' ? r.at : undefined,
      }),
    );
    return {
      method: 'POST',
      path: `/api/workers/${encodeURIComponent(workerId)}/sessions/recovery-status`,
      body: {
        recoveryResults,
        totalSessions: report.results.length,
        successfulRecoveries: report.results.filter((r) => r.outcome === 'recovered').length,
        failedRecoveries: report.results.filter((r) => r.outcome === 'failed' && !needsQr(r)).length,
      },
    };
  },

  heartbeat(workerId, snap) {
    const sessions = snap.includeSessions
      ? snap.sessions.map((s) =>
          compact({
            sessionId: s.sessionId,
            status: toWhatsamStatus(s.status),
            phoneNumber: whatsamPhone(s.phoneNumber),
            displayName: s.name ?? undefined,
            lastActivity: s.lastSeen ?? undefined,
          }),
        )
      : [];
    return {
      method: 'PUT',
      path: `/api/workers/${encodeURIComponent(workerId)}/heartbeat`,
      body: {
        sessions,
        metrics: {
          cpuUsage: snap.metrics.cpuPercent,
          memoryUsage: snap.metrics.memoryPercent,
          uptime: snap.metrics.uptimeSec,
          messageCount: snap.messageCount,
          totalSessions: snap.sessions.length,
          activeSessions: snap.sessions.filter((s) => s.status === 'connected').length,
        },
        lastActivity: snap.at,
      },
    };
  },

  // Its webhooks share one limit of 60 requests a minute per IP (express-rate-limit
  // `sessionLimiter`, answering 429 with Retry-After): stay under it, keep only each session's
  // newest status while waiting, and settle receipts it answers 404 for (it keys messages by its
  // own ids and never stores ours, so every message-status is "not found").
  eventPolicy: { coalesceStatus: true, ratePerMinute: 50, unknownMessageOn404: true },

  event(workerId, e, key) {
    // Its Joi validators strip unknown keys: `idempotencyKey` is harmless there and lets a
    // de-duplicating proxy in front of it work.
    const headers = { 'Idempotency-Key': key };
    switch (e.kind) {
      case 'session-status':
        return {
          method: 'POST',
          path: '/api/webhooks/session-status',
          headers,
          body: compact({
            idempotencyKey: key,
            sessionId: e.sessionId,
            status: toWhatsamStatus(e.status),
            timestamp: e.at,
            // whatsam has no field for a pairing code: its `qrCode` (what its UI shows while
            // QR_REQUIRED) carries the 8 characters — the closest it has (README, issue 19 §1).
            qrCode: linkingCode(e.qr ?? e.pairingCode),
            phoneNumber: whatsamPhone(e.phoneNumber),
            workerId,
          }),
        };
      case 'message-status':
        // Ids outside whatsam's pattern would be rejected with the whole body; nothing to send.
        if (!WHATSAM_MESSAGE_ID.test(e.messageId)) return null;
        return {
          method: 'POST',
          path: '/api/webhooks/message-status',
          headers,
          body: { idempotencyKey: key, sessionId: e.sessionId, messageId: e.messageId, status: toWhatsamMessageStatus(e.status), timestamp: e.at },
        };
      case 'messages':
        // The real backend (be-whatsam-gateway, head c005b56) has no route for incoming
        // messages: only session-status, message-status and worker-heartbeat webhooks. They reach
        // clients through WEBHOOK_URL instead (supervisor/outbox/webhook-sink.ts).
        return null;
    }
  },

  // Its `worker-heartbeat` webhook takes ONLINE, OFFLINE or MAINTENANCE: OFFLINE tells it at once
  // that this worker stopped on purpose (instead of waiting for missed heartbeats), and keeps the
  // worker and its sessions registered.
  goingOffline(workerId, at) {
    return { method: 'POST', path: '/api/webhooks/worker-heartbeat', body: { workerId, status: 'OFFLINE', timestamp: at } };
  },

  unregister(identity) {
    return { method: 'DELETE', path: '/api/workers/unregister', body: { workerId: identity.workerId, endpoint: identity.endpoint } };
  },
};

/** What whatsam's `qrCode` can carry: a QR string within its limit, or an 8-character pairing code. */
function linkingCode(code: string | undefined): string | undefined {
  return code !== undefined && code.length <= QR_MAX ? code : undefined;
}
