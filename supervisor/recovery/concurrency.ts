/**
 * RECOVERY_CONCURRENCY when unset (issue 15): 3 hosts booting per core, at least 4. A host's boot is
 * mostly CPU (bundle evaluation, auth restore, Noise handshake), so more in flight than cores only
 * interleaves them; the factor 3 keeps the cores busy while some hosts wait on storage round trips
 * and the WhatsApp login, which a real network makes long (bench/README.md).
 */
export function defaultRecoveryConcurrency(cores: number): number {
  return Math.max(4, 3 * Math.max(1, Math.floor(cores)));
}
