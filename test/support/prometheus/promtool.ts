/**
 * Locating and running `promtool` for tests. Under CI (`CI=true`) a missing promtool is an error,
 * so the Prometheus checks can never be skipped silently there; elsewhere tests skip with a
 * message naming the install script.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const INSTALL_HINT = 'promtool not found: run test/support/prometheus/install.sh (Debian package "prometheus") or set PROMTOOL';

/** An executable named `name` on PATH, or the path in `env[override]` when that is set. */
export function locateExecutable(name: string, override: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env[override] ? [env[override]] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here; try the next one
    }
  }
  return undefined;
}

export function locatePromtool(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return locateExecutable('promtool', 'PROMTOOL', env);
}

export function promtoolRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true';
}

export interface PromtoolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runPromtool(promtool: string, args: readonly string[], options: { input?: string; cwd?: string } = {}): PromtoolRun {
  const result = spawnSync(promtool, [...args], {
    input: options.input,
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Resolved once per test file. */
export const PROMTOOL = locatePromtool();

/** Skip promtool suites only outside CI; under CI a missing promtool makes them fail. */
export const SKIP_PROMTOOL = PROMTOOL === undefined && !promtoolRequired();
if (SKIP_PROMTOOL) console.warn(`skipping promtool checks: ${INSTALL_HINT}`);

/** The promtool path, or an error naming the install script (the CI=true failure). */
export function promtool(): string {
  if (PROMTOOL === undefined) throw new Error(INSTALL_HINT);
  return PROMTOOL;
}
