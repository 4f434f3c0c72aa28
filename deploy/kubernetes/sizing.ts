/**
 * Resource figures for one worker pod, from the bench (`npm run bench`, bench/results/): PSS per
 * connected session host p50 ≈ 34 MB at N=100 with the default HOST_NODE_FLAGS and
 * HOST_GLIBC_TUNABLES (report 2026-12-03T17-37-50Z.json; 54 MB before the glibc setting), budgeted
 * at 50 MiB for message traffic and media; the supervisor itself ≈ 150 MB at 100 hosts. Change
 * SESSIONS_PER_WORKER (and MAX_SESSIONS in the ConfigMap follows) to size pods for another load;
 * re-run the bench after changing HOST_NODE_FLAGS, HOST_GLIBC_TUNABLES or the Node line.
 */
export const SESSIONS_PER_WORKER = 100;
export const HOST_PSS_MIB = 50;
export const SUPERVISOR_MIB = 150;
/** HOST_SPARES (its default): pre-booted hosts that wait for the next session start, one host's memory each. */
export const SPARE_HOSTS = 2;
/** Idle hosts cost little CPU; a recovery of every session at once is what needs cores. */
export const CPU_REQUEST = '1';

export function memoryRequestMiB(sessions = SESSIONS_PER_WORKER): number {
  return SUPERVISOR_MIB + (sessions + SPARE_HOSTS) * HOST_PSS_MIB;
}

/** A quarter of headroom over the request for message bursts, before the kernel's OOM killer. */
export function memoryLimitMiB(sessions = SESSIONS_PER_WORKER): number {
  return Math.ceil(memoryRequestMiB(sessions) * 1.25);
}
