import type { HostMediaSettings } from '../ipc/protocol.js';

/** Defaults of the MEDIA_* variables (src/config/spec.ts), also used by a host whose `init` has no `media`. */
export const MEDIA_MAX_BYTES_DEFAULT = 64 * 1024 * 1024;
export const MEDIA_FETCH_TIMEOUT_MS_DEFAULT = 30_000;

export const DEFAULT_HOST_MEDIA: HostMediaSettings = {
  allowPrivateUrls: false,
  maxBytes: MEDIA_MAX_BYTES_DEFAULT,
  fetchTimeoutMs: MEDIA_FETCH_TIMEOUT_MS_DEFAULT,
};
