import type { ReceiptStatus } from '../../src/ipc/protocol.js';
import type { SessionStatus } from '../../src/status.js';

/** The whatsam backend's session status enum (its validator rejects anything else). */
export type WhatsamStatus = 'INIT' | 'QR_REQUIRED' | 'CONNECTED' | 'DISCONNECTED' | 'RECONNECTING' | 'ERROR';
export type WhatsamMessageStatus = 'PENDING' | 'SENT' | 'DELIVERED' | 'READ' | 'FAILED';

/**
 * Canonical → whatsam. `recovering` is RECONNECTING (the session exists and is coming back, not a
 * new INIT); `replaced` is ERROR rather than DISCONNECTED because it needs a human and is not
 * restarted automatically; `logged_out` is DISCONNECTED, which whatsam treats as needing a new QR.
 * `pairing_code_required` is QR_REQUIRED: whatsam has no status of its own for it, and the session
 * waits for the user to link it just the same (the code travels in `qrCode`; see the profile).
 */
const MAP: Record<SessionStatus, WhatsamStatus> = {
  starting: 'INIT',
  recovering: 'RECONNECTING',
  qr_required: 'QR_REQUIRED',
  pairing_code_required: 'QR_REQUIRED',
  connecting: 'INIT',
  connected: 'CONNECTED',
  reconnecting: 'RECONNECTING',
  disconnected: 'DISCONNECTED',
  logged_out: 'DISCONNECTED',
  replaced: 'ERROR',
  failed: 'ERROR',
};

export function toWhatsamStatus(status: SessionStatus): WhatsamStatus {
  return MAP[status];
}

export function toWhatsamMessageStatus(status: ReceiptStatus): WhatsamMessageStatus {
  return status.toUpperCase() as WhatsamMessageStatus;
}

/** whatsam's phone pattern; anything else is omitted rather than rejected with the whole body. */
const PHONE = /^\+?[1-9]\d{1,14}$/;
export function whatsamPhone(phone: string | null): string | undefined {
  return phone !== null && PHONE.test(phone) ? phone : undefined;
}

/**
 * The worker id as whatsam's `normalizeWorkerId` rewrites it (its register and admin handlers do,
 * its heartbeat, assignments and webhook handlers do not): lower case, whitespace and `_` → `-`,
 * anything else outside `[a-z0-9-]` dropped, repeated `-` collapsed, none at either end.
 */
export function whatsamWorkerIdNormalForm(id: string): string {
  return id.trim().toLowerCase().replace(/\s+/g, '-').replace(/_/g, '-').replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
}

/** whatsam's id pattern for worker ids (3-50) and message ids. */
export const WHATSAM_WORKER_ID = /^[A-Za-z0-9_-]{3,50}$/;
export const WHATSAM_MESSAGE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** whatsam accepts only x.y.z; a longer version (1.2.3-rc1) is cut to its x.y.z prefix. */
export function whatsamVersion(version: string): string | undefined {
  return /^(\d+\.\d+\.\d+)/.exec(version)?.[1];
}

const ENVIRONMENTS: Record<string, string> = {
  '': 'PRODUCTION',
  production: 'PRODUCTION',
  prod: 'PRODUCTION',
  development: 'DEVELOPMENT',
  dev: 'DEVELOPMENT',
  staging: 'STAGING',
  test: 'TESTING',
  testing: 'TESTING',
};

/** NODE_ENV → whatsam's environment enum; unset means production (Node's own default). */
export function whatsamEnvironment(environment: string): string | undefined {
  return ENVIRONMENTS[environment.trim().toLowerCase()];
}

/** Drops undefined and null members: whatsam's validator rejects nulls. Shallow by design. */
export function compact<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null) out[k] = v;
  return out as Partial<T>;
}
