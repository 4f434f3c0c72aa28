/**
 * Every child process the benchmark or the demo starts is tracked here and SIGKILLed when the
 * orchestrator exits for any reason (done, failed, hard timeout, Ctrl-C), so no supervisor is
 * left behind. Session hosts need no entry: they exit when their supervisor's IPC channel closes.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export function trackChild(child: ChildProcess): ChildProcess {
  install();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
