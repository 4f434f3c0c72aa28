/**
 * The host's command line, shared by the supervisor (which forks hosts) and the host (which reads
 * its argv before `init`). Here in src/, not in session-host/: the runtime image ships the host only
 * as its bundle (dist/host/), so a supervisor import from dist/session-host/ fails at start there.
 */

/** argv flag of a pre-booted spare host (issue 15): no session until its `init` names one. */
export const SPARE_ARG = '--spare';
/** Process title of a spare, distinct from every `wa-host:<id>`. */
export const SPARE_TITLE = 'wa-host-spare';
/**
 * Room in argv for the title a spare takes later: Linux shows `process.title` in the memory of the
 * original argv, so `wa-host:<id>` (ids up to 160 characters) would be cut to `--spare`'s length.
 */
export const SPARE_TITLE_ROOM = ' '.repeat(180);

/**
 * argv flag naming the folder where a host keeps its V8 code cache (`--code-cache <dir>`,
 * HOST_COMPILE_CACHE; issue 15). Read and removed by the host's loader before the host runs.
 */
export const CODE_CACHE_ARG = '--code-cache';
