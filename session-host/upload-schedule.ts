/**
 * Pure timing of debounced snapshot uploads: wait `debounceMs` after the last change, but never
 * longer than `maxDelayMs` after the first unsaved one, so a steady trickle of key updates cannot
 * postpone the upload forever.
 */
export interface UploadTiming {
  debounceMs: number;
  maxDelayMs: number;
}

export const DEFAULT_UPLOAD_TIMING: UploadTiming = { debounceMs: 2_000, maxDelayMs: 10_000 };

export function nextUploadDelay(now: number, firstChangeAt: number, timing: UploadTiming = DEFAULT_UPLOAD_TIMING): number {
  const deadline = firstChangeAt + timing.maxDelayMs;
  return Math.max(0, Math.min(timing.debounceMs, deadline - now));
}

/** Wait before retrying a failed upload: 5 s, 10 s, 20 s … capped at a minute. */
export function uploadRetryDelay(failures: number): number {
  return Math.min(60_000, 5_000 * 2 ** Math.max(0, Math.min(failures - 1, 10)));
}
