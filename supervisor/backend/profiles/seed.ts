import type { BackendProfile, WireResponse } from '../contract.js';
import { isEnvelopeNotFound, objectField, parseAssignmentList } from '../parse-assignments.js';
import { recoveryStats } from '../recovery-stats.js';

/**
 * The `seed` contract (design.md §8, the session-recovery design document). Lower-case canonical
 * statuses, `null` for unknown values (never omitted), integers for counts, ISO-8601 timestamps.
 */
export const seedProfile: BackendProfile = {
  name: 'seed',

  checkIdentity() {
    // The seed contract accepts any worker id the config accepts.
  },

  register(identity) {
    return {
      method: 'POST',
      path: '/api/admin/workers/register',
      body: {
        workerId: identity.workerId,
        endpoint: identity.endpoint,
        maxSessions: identity.maxSessions,
        status: 'online',
        capabilities: { version: identity.version, features: [...identity.features] },
      },
    };
  },

  parseRegister(res: WireResponse) {
    const data = objectField(res.data, 'data');
    const isRecovery = objectField(data, 'isRecovery');
    const previous = objectField(data, 'previousSessions');
    return {
      isRecovery: typeof isRecovery === 'boolean' ? isRecovery : null,
      previousSessions: Array.isArray(previous) ? previous.length : typeof previous === 'number' ? previous : null,
    };
  },

  // Every refusal of the seed backend is an ordinary one, classified by its status.
  registrationRefusal: () => null,

  assignments(workerId) {
    return { method: 'GET', path: '/api/admin/workers/sessions/assigned', headers: { 'X-Worker-Id': workerId } };
  },

  // The seed backend answers 404 with its JSON error envelope when nothing is assigned; any other
  // 404 (an ingress page during a deploy) is an outage, never "none".
  parseAssignments: (res) => parseAssignmentList(res, isEnvelopeNotFound),

  recoveryReport(workerId, report) {
    const recoveredSessions = [];
    const failedSessions = [];
    const skippedSessions = [];
    for (const r of report.results) {
      if (r.outcome === 'recovered') {
        recoveredSessions.push({ sessionId: r.sessionId, status: r.status, phoneNumber: r.phoneNumber });
      } else if (r.outcome === 'failed') {
        const reason = r.reason ?? 'unknown';
        failedSessions.push({ sessionId: r.sessionId, error: r.error ?? reason, reason, status: r.status });
      } else {
        skippedSessions.push({ sessionId: r.sessionId, status: r.status, reason: r.reason ?? null });
      }
    }
    return {
      method: 'POST',
      path: '/api/admin/workers/sessions/recovery-status',
      headers: { 'X-Worker-Id': workerId },
      // skippedSessions is an extra field (allowed): sessions deliberately not started, e.g. ended ones.
      body: { recoveredSessions, failedSessions, skippedSessions },
    };
  },

  heartbeat(workerId, snap) {
    const sessions = snap.includeSessions
      ? snap.sessions.map((s) => ({
          sessionId: s.sessionId,
          status: s.status,
          phoneNumber: s.phoneNumber,
          lastActivity: s.lastSeen,
          isRecovered: s.isRecovered,
          userId: s.userId,
          ...(s.reason !== null ? { reason: s.reason } : {}),
        }))
      : [];
    return {
      method: 'PUT',
      path: `/api/admin/workers/${encodeURIComponent(workerId)}/heartbeat`,
      body: {
        status: 'online',
        metrics: {
          sessionCount: snap.sessions.length,
          cpuUsage: snap.metrics.cpuPercent,
          memoryUsage: snap.metrics.memoryPercent,
          uptime: snap.metrics.uptimeSec,
          messageCount: snap.messageCount,
        },
        sessions,
        capabilities: { maxSessions: snap.maxSessions, version: snap.version, features: [...snap.features] },
        recoveryStats: recoveryStats(snap.sessions),
        lastActivity: snap.at,
      },
    };
  },

  // No rate limit in the seed contract: every status transition is delivered, in order.
  eventPolicy: { coalesceStatus: false, ratePerMinute: 0, unknownMessageOn404: false },

  event(workerId, e, key) {
    const headers = { 'Idempotency-Key': key };
    switch (e.kind) {
      case 'session-status':
        return {
          method: 'POST',
          path: '/api/webhooks/session-status',
          headers,
          body: {
            idempotencyKey: key,
            sessionId: e.sessionId,
            event: e.event,
            status: e.status,
            timestamp: e.at,
            workerId,
            phoneNumber: e.phoneNumber,
            ...(e.reason !== undefined ? { reason: e.reason } : {}),
            ...(e.qr !== undefined ? { qrCode: e.qr, qrExpiresAt: e.qrExpiresAt ?? null } : {}),
            ...(e.pairingCode !== undefined ? { pairingCode: e.pairingCode, pairingCodeExpiresAt: e.pairingCodeExpiresAt ?? null } : {}),
          },
        };
      case 'messages':
        return {
          method: 'POST',
          path: '/api/webhooks/messages',
          headers,
          body: {
            idempotencyKey: key,
            sessionId: e.sessionId,
            workerId,
            messages: e.messages.map((m) => ({
              id: m.id,
              from: m.from,
              timestamp: m.timestamp,
              type: m.type,
              ...(m.text !== undefined ? { text: m.text } : {}),
              ...(m.pushName !== undefined ? { pushName: m.pushName } : {}),
              ...(m.media !== undefined ? { media: m.media } : {}),
              ...(m.mediaError !== undefined ? { mediaError: m.mediaError } : {}),
              ...(m.offline ? { offline: true } : {}),
            })),
          },
        };
      case 'message-status':
        return {
          method: 'POST',
          path: '/api/webhooks/message-status',
          headers,
          body: { idempotencyKey: key, sessionId: e.sessionId, workerId, messageId: e.messageId, remoteJid: e.remoteJid, status: e.status, timestamp: e.at },
        };
    }
  },

  // The seed's design has no "going offline" call: its heartbeat timeout marks the worker offline.
  goingOffline: () => null,

  unregister() {
    // The seed contract has no unregister route; an operator removes the worker in the backend.
    return null;
  },
};
