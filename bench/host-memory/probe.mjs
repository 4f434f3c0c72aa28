/**
 * Preload for bench/host-memory (experiment, never in production): on SIGUSR2 a host writes
 * `${PROBE_DIR}/<pid>-<n>.json` with V8's heap spaces, process.memoryUsage() and smaps, and with
 * PROBE_SNAPSHOT=1 a heap snapshot next to it; with PROBE_GC=1 it then runs a full GC and writes the
 * same figures again (what a GC after connect would give back).
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

const dir = process.env.PROBE_DIR;
let n = 0;
function figures() {
  return {
    memoryUsage: process.memoryUsage(),
    heap: v8.getHeapStatistics(),
    spaces: v8.getHeapSpaceStatistics(),
    code: v8.getHeapCodeStatistics(),
    smaps: readFileSync('/proc/self/smaps', 'utf8'),
  };
}
if (dir) {
  process.on('SIGUSR2', () => {
    const out = { before: figures(), after: undefined };
    if (process.env.PROBE_SNAPSHOT === '1') v8.writeHeapSnapshot(join(dir, `${process.pid}.heapsnapshot`));
    if (process.env.PROBE_GC === '1') {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc');
      gc();
      out.after = figures();
    }
    writeFileSync(join(dir, `${process.pid}-${n++}.json`), JSON.stringify(out));
  });
}
