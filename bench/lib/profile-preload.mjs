/**
 * `--import` preload for bench/supervisor-probe.ts: V8's sampling profiler inside the supervisor
 * only (hosts inherit the supervisor's execArgv, so `--cpu-prof` would profile and slow every host).
 * Each SIGUSR2 writes the profile since the last one to `$SUP_PROFILE_DIR/sup-<k>.cpuprofile` and
 * starts the next, so start-up and an idle window land in separate files.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const dir = process.env.SUP_PROFILE_DIR;
if (dir && process.argv[1]?.endsWith('supervisor/main.js')) {
  const session = new Session();
  session.connect();
  let k = 0;
  session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')));
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(`${dir}/sup-${k++}.cpuprofile`, JSON.stringify(result.profile));
      session.post('Profiler.start');
    });
  });
}
