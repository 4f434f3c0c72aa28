/**
 * Podman for the image test: the engine's flags for this machine, the local base images, the build
 * and the containers it runs. Everything the test creates is named `wa-image-test-<tag>` so it can
 * be removed afterwards (and recognised if a run was killed).
 */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, '..', '..', '..');
const SUPPORT = join(ROOT, 'test', 'support', 'podman');

export interface Engine {
  /** podman's global flags (before the command): the OCI runtime. */
  readonly global: string[];
  /** Flags of `build` / `run`: the ulimits this machine allows. */
  readonly perContainer: string[];
}

/** Why the image test cannot run here, or undefined when podman answers. */
export function podmanMissing(): string | undefined {
  const probe = spawnSync('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return `podman is not installed (${probe.error.message}): run test/support/podman/install.sh`;
  if (probe.status !== 0) return `podman info failed: ${probe.stderr.trim().split('\n').at(-1)}`;
  if (process.getuid?.() !== 0) return 'the image test runs rootful podman and needs root (debootstrap, chroot)';
  return undefined;
}

export function engine(): Engine {
  const out = spawnSync('bash', [join(SUPPORT, 'engine-flags.sh')], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`engine-flags.sh failed: ${out.stderr}`);
  const [global = '', perContainer = ''] = out.stdout.trim().split('\n');
  return { global: global.split(/\s+/).filter(Boolean), perContainer: perContainer.split(/\s+/).filter(Boolean) };
}

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `podman <global> <args>`; never throws on a non-zero exit (the caller checks `code`). */
export async function podman(eng: Engine, args: readonly string[], timeoutMs = 120_000): Promise<Result> {
  try {
    const { stdout, stderr } = await run('podman', [...eng.global, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

/** `podman <args>` that must succeed: its stdout, trimmed. */
export async function podmanOk(eng: Engine, args: readonly string[], timeoutMs?: number): Promise<string> {
  const r = await podman(eng, args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The local runtime and build bases (test/support/podman/make-base.sh; cached between runs). */
export async function makeBases(): Promise<{ runtime: string; build: string }> {
  const { stdout } = await run('bash', [join(SUPPORT, 'make-base.sh')], { timeout: 20 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  const [runtime, build] = stdout.trim().split('\n');
  if (!runtime || !build) throw new Error(`make-base.sh printed no image names: ${stdout}`);
  return { runtime, build };
}

export interface Built {
  readonly seconds: number;
  readonly sizeBytes: number;
}

/**
 * Builds the project's Dockerfile as a user would, with the two base-image build arguments.
 * `--format docker`: the OCI image format has no HEALTHCHECK, podman keeps it only in Docker's.
 * `--network host`: npm and apt reach their registries the way this machine does (its proxy).
 * `-v ~/.npm:/root/.npm:O`: the machine's npm cache as an overlay (writes stay in the build), so
 * `npm ci` inside fetches only what the cache lacks.
 */
export async function buildImage(eng: Engine, tag: string, bases: { runtime: string; build: string }, npmCache: string): Promise<Built> {
  const started = Date.now();
  const r = await podman(
    eng,
    ['build', ...eng.perContainer, '--network', 'host', '--pull=never', '--format', 'docker', '-v', `${npmCache}:/root/.npm:O`,
      '--build-arg', `NODE_IMAGE=${bases.runtime}`, '--build-arg', `BUILD_IMAGE=${bases.build}`, '-t', tag, ROOT],
    40 * 60_000,
  );
  if (r.code !== 0) throw new Error(`podman build exited ${r.code}:\n${(r.stdout + r.stderr).split('\n').slice(-40).join('\n')}`);
  const seconds = (Date.now() - started) / 1000;
  const sizeBytes = Number(await podmanOk(eng, ['image', 'inspect', '--format', '{{.Size}}', tag]));
  return { seconds, sizeBytes };
}

/** Removes the named containers and volumes and the tagged image; ignores what is already gone. */
export async function removeAll(eng: Engine, what: { containers: string[]; volumes: string[]; images: string[] }): Promise<void> {
  for (const c of what.containers) await podman(eng, ['rm', '-f', '-t', '0', c]);
  for (const v of what.volumes) await podman(eng, ['volume', 'rm', '-f', v]);
  for (const i of what.images) await podman(eng, ['rmi', '-f', i]);
}
