/**
 * The Dockerfile built and run for real (issue 17 §7), with Debian's podman (no daemon) on local
 * base images (test/support/podman/make-base.sh: debootstrap + the machine's Node.js 20), since no
 * image registry is reachable here. Not part of `npm test`: a cold build takes minutes (see
 * README, "Test it"); run it with `npm run test:image` (CI's .ci/run does, after `npm test`), which
 * installs podman and sets IMAGE_TEST=1.
 * With IMAGE_TEST=1 a missing podman fails the test instead of skipping it.
 *
 * 1. Embedded defaults (HOST=0.0.0.0, PORT=3001, DATA_DIR=/data on a volume), published on a
 *    loopback port through slirp4netns as `docker run -p` would: /live, /health, the non-root user,
 *    the image's HEALTHCHECK turning healthy, `podman stop` ending with exit 0 within its grace period.
 * 2. A session host inside the container against the WhatsApp simulator (host network, so the
 *    container reaches the simulator on 127.0.0.1; the simulator's preload is mounted from
 *    dist/test, the image itself has no test code): paired by QR, stopped, and recovered from the
 *    same volume by a new container without a QR.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { buildImage, engine, makeBases, podman, podmanMissing, podmanOk, removeAll, ROOT, type Engine } from './support/podman.js';

const requested = process.env.IMAGE_TEST === '1';
const missing = requested ? podmanMissing() : 'IMAGE_TEST is not 1 (a cold image build takes minutes: run `npm run test:image`)';
if (missing && !requested) console.warn(`[image] skipping the image test: ${missing}`);

const TOKEN = 'image-test-token';
const tag = randomBytes(3).toString('hex');
const IMAGE = `localhost/wa-gateway-worker:test-${tag}`;
const VOLUME = `wa-image-test-${tag}-data`;
const names = { containers: [] as string[], volumes: [VOLUME], images: [IMAGE] };
/** `docker stop`'s default grace period, which podman shares: SIGTERM, then SIGKILL after it. */
const GRACE_S = 10;

let eng: Engine;
let sim: WaSim | undefined;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, logsOf?: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > deadline) {
      const tail = logsOf ? await podman(eng, ['logs', '--tail', '30', logsOf]) : undefined;
      const logs = tail ? tail.stdout + tail.stderr : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${logs ? `\n--- container log ---\n${logs}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function get(url: string, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() };
}

async function startContainer(name: string, args: string[], command: string[] = []): Promise<void> {
  names.containers.push(name);
  await podmanOk(eng, ['run', '-d', ...eng.perContainer, '--name', name, '-e', `WORKER_AUTH_TOKEN=${TOKEN}`, '-v', `${VOLUME}:/data`, ...args, IMAGE, ...command]);
}

/** `podman stop` with the default grace period: its wall time and the container's exit code. */
async function stop(name: string): Promise<{ seconds: number; exitCode: number }> {
  const started = Date.now();
  await podmanOk(eng, ['stop', '-t', String(GRACE_S), name], (GRACE_S + 30) * 1000);
  const seconds = (Date.now() - started) / 1000;
  const exitCode = Number(await podmanOk(eng, ['inspect', '--format', '{{.State.ExitCode}}', name]));
  return { seconds, exitCode };
}

/** User names of the container's processes, by command line (`podman top`, seen from the host). */
async function processUsers(name: string): Promise<Array<{ user: string; args: string }>> {
  const out = await podmanOk(eng, ['top', name, 'user', 'args']);
  return out.split('\n').slice(1).map((l) => {
    const [user = '', ...rest] = l.trim().split(/\s+/);
    return { user, args: rest.join(' ') };
  });
}

describe.skipIf(missing !== undefined && !requested)('the Docker image, built and run with podman', () => {
  if (missing) {
    it('podman is available (IMAGE_TEST=1)', () => {
      throw new Error(`IMAGE_TEST=1 but ${missing}`);
    });
    return;
  }

  beforeAll(async () => {
    eng = engine();
    const basesStarted = Date.now();
    const bases = await makeBases();
    console.log(`[image] bases ${bases.runtime}, ${bases.build} ready in ${((Date.now() - basesStarted) / 1000).toFixed(1)} s`);
    const built = await buildImage(eng, IMAGE, bases, join(homedir(), '.npm'));
    console.log(`[image] podman build: ${built.seconds.toFixed(1)} s, image ${(built.sizeBytes / 1e6).toFixed(0)} MB`);
  }, 45 * 60_000);

  afterAll(async () => {
    await sim?.close();
    if (eng) await removeAll(eng, names);
  }, 120_000);

  describe('with the embedded defaults, published like `docker run -p`', () => {
    const name = `wa-image-test-${tag}-defaults`;
    let base = '';

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      await startContainer(name, ['--network', 'slirp4netns', '-p', `127.0.0.1:${port}:3001`]);
    }, 60_000);

    it('/live and /health answer on the published port', async () => {
      const live = await until('/live', 30_000, async () => ((await get(`${base}/live`)).status === 200 ? true : undefined), name);
      expect(live).toBe(true);
      const health = await get(`${base}/health`);
      expect(health.status).toBe(200);
      expect(health.body.success).toBe(true);
      expect(health.body.data).toMatchObject({ mode: 'standalone' });
    }, 60_000);

    it('runs as the non-root `node` user under tini', async () => {
      expect(await podmanOk(eng, ['inspect', '--format', '{{.Config.User}}', name])).toBe('node');
      const procs = await processUsers(name);
      // The supervisor titles itself `wa-supervisor`; tini (PID 1) shows the command it started.
      const supervisor = procs.find((p) => p.args.startsWith('wa-supervisor'));
      expect(supervisor, JSON.stringify(procs)).toBeDefined();
      expect(supervisor!.user).toBe('node');
      expect(procs.find((p) => p.args.startsWith('/usr/bin/tini'))).toBeDefined();
      expect(procs.every((p) => p.user !== 'root'), JSON.stringify(procs)).toBe(true);
      // Code is read-only to the worker; DATA_DIR is its own.
      expect((await podman(eng, ['exec', name, 'touch', '/app/dist/x'])).code).not.toBe(0);
      expect((await podman(eng, ['exec', name, 'touch', '/data/x'])).code).toBe(0);
    }, 60_000);

    it("the image's HEALTHCHECK probes /live and turns healthy", async () => {
      const hc = JSON.parse(await podmanOk(eng, ['inspect', '--format', '{{json .Config.Healthcheck}}', name])) as { Test: string[] };
      expect(hc.Test.join(' ')).toContain('/live');
      // podman schedules health checks with systemd timers; this machine has no systemd, so the
      // test runs the image's check the way the timer would.
      const status = await until('healthy', 60_000, async () => {
        await podman(eng, ['healthcheck', 'run', name]);
        const s = await podmanOk(eng, ['inspect', '--format', '{{.State.Health.Status}}', name]);
        return s === 'healthy' ? s : undefined;
      }, name);
      expect(status).toBe('healthy');
    }, 90_000);

    it('`podman stop` (SIGTERM) ends it with exit 0 within the grace period', async () => {
      const { seconds, exitCode } = await stop(name);
      console.log(`[image] empty worker: podman stop → exit ${exitCode} in ${seconds.toFixed(1)} s`);
      expect(exitCode).toBe(0);
      expect(seconds).toBeLessThan(GRACE_S);
    }, 60_000);
  });

  describe('a session host inside the container, against the simulator', () => {
    const phone = '15550717001';
    const sessionId = `img_${tag}`;
    let base = '';
    let qrRounds = 0;

    /**
     * A container on the host network (the simulator listens on 127.0.0.1), with its preload, and
     * with a read-only root file system and a tmpfs /tmp, as the StatefulSet runs it
     * (deploy/kubernetes: readOnlyRootFilesystem, an emptyDir on /tmp).
     */
    async function startWithSim(name: string): Promise<void> {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const env = sim!.childEnv();
      const cert = env.NODE_EXTRA_CA_CERTS!;
      await startContainer(
        name,
        ['--network', 'host', '--read-only', '--read-only-tmpfs', '-e', `PORT=${port}`, '-e', 'HOST=127.0.0.1', '-e', 'LOG_LEVEL=info',
          '-e', `WA_WEBSOCKET_URL=${env.WA_WEBSOCKET_URL}`, '-e', `WA_SIM_ROOT_PUBLIC_KEY=${env.WA_SIM_ROOT_PUBLIC_KEY}`,
          '-e', 'NODE_EXTRA_CA_CERTS=/sim/media-ca.pem', '-v', `${cert}:/sim/media-ca.pem:ro`,
          '-v', `${join(ROOT, 'dist', 'test')}:/app/dist/test:ro`],
        ['node', '--import', '/app/dist/test/wa-sim/trust-sim.js', 'dist/supervisor/main.js'],
      );
      await until('/live', 30_000, async () => ((await get(`${base}/live`)).status === 200 ? true : undefined), name);
    }

    async function session(): Promise<Record<string, any> | undefined> {
      const r = await get(`${base}/api/sessions/${sessionId}`, TOKEN);
      return r.status === 200 ? (r.body.data as Record<string, any>) : undefined;
    }

    beforeAll(async () => {
      expect(existsSync(join(ROOT, 'dist', 'test', 'wa-sim', 'trust-sim.js'))).toBe(true);
      sim = await startSimulator();
    }, 60_000);

    it('POST /api/sessions, scan the QR: connected, its host a `node` process in the container', async () => {
      const name = `wa-image-test-${tag}-sim1`;
      await startWithSim(name);
      const created = await fetch(`${base}/api/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId }),
      });
      expect(created.status).toBeLessThan(300);
      const qr = await until('a QR', 60_000, async () => {
        const r = await get(`${base}/api/sessions/${sessionId}/qr`, TOKEN);
        return r.status === 200 && typeof r.body.data?.qr === 'string' ? (r.body.data.qr as string) : undefined;
      }, name);
      await sim!.scan(qr, { phone });
      const view = await until('connected', 60_000, async () => {
        const v = await session();
        return v?.status === 'connected' ? v : undefined;
      }, name);
      expect(view).toMatchObject({ phoneNumber: phone, isRecovered: false });
      qrRounds = sim!.qrCount();
      const host = (await processUsers(name)).find((p) => p.args.includes(`wa-host:${sessionId}`) || p.args.includes(sessionId));
      expect(host, 'the session host runs inside the container').toBeDefined();
      expect(host!.user).toBe('node');
      // /app is read-only: the host's V8 code cache goes to DATA_DIR, written after its first connect.
      const cached = await until('the code cache in /data/compile-cache', 30_000, async () => {
        const ls = await podman(eng, ['exec', name, 'ls', '/data/compile-cache']);
        return /^host-.*\.v8cache$/m.test(ls.stdout) && /^baileys-.*\.v8cache$/m.test(ls.stdout) ? ls.stdout : undefined;
      }, name);
      expect(cached).not.toMatch(/minio|\.lock|\.tmp/);

      const { seconds, exitCode } = await stop(name);
      console.log(`[image] one connected session: podman stop → exit ${exitCode} in ${seconds.toFixed(1)} s`);
      expect(exitCode).toBe(0);
      expect(seconds).toBeLessThan(GRACE_S);
    }, 180_000);

    it('DATA_DIR survives on its volume: a new container recovers the session without a QR', async () => {
      const mount = await podmanOk(eng, ['volume', 'inspect', '--format', '{{.Mountpoint}}', VOLUME]);
      const registry = JSON.parse(readFileSync(join(mount, 'registry.json'), 'utf8')) as unknown;
      expect(JSON.stringify(registry)).toContain(sessionId);

      const name = `wa-image-test-${tag}-sim2`;
      await startWithSim(name);
      const view = await until('recovered', 90_000, async () => {
        const v = await session();
        return v?.status === 'connected' ? v : undefined;
      }, name);
      expect(view).toMatchObject({ phoneNumber: phone, isRecovered: true });
      expect(sim!.qrCount()).toBe(qrRounds);
      // The recovered host compiled its bundle from the first container's code cache.
      const boot = await until('the boot cost line', 30_000, async () => {
        const logs = await podman(eng, ['logs', name]);
        return `${logs.stdout}${logs.stderr}`.split('\n').find((l) => l.includes('session host boot cost'));
      }, name);
      expect(boot).toContain('"codeCache":"used"');
      const { exitCode } = await stop(name);
      expect(exitCode).toBe(0);
    }, 180_000);
  });
});
