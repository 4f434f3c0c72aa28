import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/index.js';
import { CODE_CACHE_ARG } from '../../src/ipc/host-argv.js';
import { IPC_PROTOCOL_VERSION, type HostInit } from '../../src/ipc/protocol.js';
import { encryptionKeysFromConfig, storageSettingsFromConfig } from '../../src/storage/settings.js';
import type { HostSettings } from '../actor/session-actor.js';
import type { Policy } from '../actor/transitions.js';
import { defaultEndpoint } from '../backend/identity.js';
import { PingClock } from './ping-clock.js';

/**
 * The bundled session host (`npm run build` → scripts/build-host.mjs), found beside the compiled
 * supervisor (`dist/supervisor/host/` → `dist/host/session-host.mjs`), or under `dist/` when the
 * supervisor itself runs from source (`npm run dev`). Production, tests and the bench all fork it.
 */
export const DEFAULT_HOST_MODULE = defaultHostModule();

function defaultHostModule(): string {
  const besideDist = fileURLToPath(new URL('../../host/session-host.mjs', import.meta.url));
  if (existsSync(besideDist) || import.meta.url.includes('/dist/')) return besideDist;
  return fileURLToPath(new URL('../../dist/host/session-host.mjs', import.meta.url));
}

/** Builds the `init` message for one host. Secrets travel only here, never in argv or env. */
export function hostInitFactory(config: Config, workerId: string): (sessionId: string, isRecovery: boolean, options?: { logoutOnly?: boolean; proxy?: string | undefined }) => HostInit {
  const storage = storageSettingsFromConfig(config);
  const encryptionKeys = encryptionKeysFromConfig(config).map((k) => k.toString('base64'));
  return (sessionId, isRecovery, options) => ({
    type: 'init',
    protocol: IPC_PROTOCOL_VERSION,
    sessionId,
    workerId,
    dataDir: config.dataDir,
    storage,
    storageTimeoutMs: config.storageTimeout,
    encryptionKeys,
    ...(config.waWebsocketUrl === undefined ? {} : { waWebsocketUrl: config.waWebsocketUrl }),
    // The session's proxy as the registry resolved it (its own, else WA_PROXY_URL); none = direct.
    ...(options?.proxy === undefined ? {} : { proxy: options.proxy }),
    qrMaxAttempts: config.qrMaxAttempts,
    badSessionMaxAttempts: config.badSessionMaxAttempts,
    contactCacheTtlMs: config.contactCheckCacheTtlMs,
    // At most 50 s: below the 60 s host request timeout, so a slow send answers `pending`, never a timeout.
    sendConfirmTimeoutMs: config.sendConfirmTimeoutMs,
    logoutTimeoutMs: config.logoutTimeoutMs,
    ...(options?.logoutOnly ? { logoutOnly: true } : {}),
    logLevel: config.logLevel,
    isRecovery,
    // The host's own stop deadline stays inside ours, so its flush finishes before any SIGTERM.
    stopTimeoutMs: Math.max(100, Math.floor(config.hostStopTimeoutMs * 0.8)),
    media: { allowPrivateUrls: config.mediaAllowPrivateUrls, maxBytes: config.mediaMaxBytes, fetchTimeoutMs: config.mediaFetchTimeoutMs, publicBaseUrl: defaultEndpoint(config) },
  });
}

/**
 * How hosts are forked. `compileCacheDir`: where hosts keep V8's compile cache when
 * HOST_COMPILE_CACHE is on (Node reads `NODE_COMPILE_CACHE` from 22.1 on and ignores it before;
 * measured on this bundle: 0.40 → 0.25 CPU-s per import on Node 22, bench/README.md). An operator's
 * own NODE_COMPILE_CACHE wins.
 */
export function hostSettingsFromConfig(config: Config, hostModulePath: string = DEFAULT_HOST_MODULE, compileCacheDir?: string): HostSettings {
  const withCache = config.hostCompileCache && compileCacheDir !== undefined;
  return {
    hostModulePath,
    ...(config.hostNodePath === undefined ? {} : { execPath: config.hostNodePath }),
    ...hostEnvironment({ compileCacheDir: withCache ? compileCacheDir : undefined, glibcTunables: config.hostGlibcTunables }, process.env),
    // Node 20 has no compile cache: the host's loader keeps a V8 code cache there itself.
    ...(withCache ? { hostArgs: [CODE_CACHE_ARG, compileCacheDir] } : {}),
    // The supervisor's own execArgv first (test preloads reach hosts), then the host tuning flags.
    execArgv: [...process.execArgv, ...config.hostNodeFlags],
    stopTimeoutMs: config.hostStopTimeoutMs,
    pingIntervalMs: config.hostPingIntervalMs,
    // One timer pings every host of this supervisor (ping-clock.ts), not one timer per host.
    pingClock: new PingClock(config.hostPingIntervalMs),
    pingTimeoutMs: config.hostPingTimeoutMs,
    // Restoring auth may take a few storage round trips (each bounded by STORAGE_TIMEOUT).
    bootTimeoutMs: Math.max(60_000, config.storageTimeout * 4),
    // A media send fetches the URL first (MEDIA_FETCH_TIMEOUT_MS), then sends (the host's own 25 s).
    requestTimeoutMs: Math.max(60_000, config.mediaFetchTimeoutMs + 35_000),
  };
}

/**
 * Pure: what hosts add to the supervisor's environment. NODE_COMPILE_CACHE (HOST_COMPILE_CACHE) and
 * GLIBC_TUNABLES (HOST_GLIBC_TUNABLES, see src/config/spec.ts for why); an operator's own value of
 * either, already in the parent environment, wins. Nothing to add = no `env`, so hosts inherit as is.
 */
export function hostEnvironment(wanted: { compileCacheDir?: string | undefined; glibcTunables?: string | undefined }, parent: NodeJS.ProcessEnv): { env?: NodeJS.ProcessEnv } {
  const added: Record<string, string> = {};
  if (wanted.compileCacheDir !== undefined) added.NODE_COMPILE_CACHE = wanted.compileCacheDir;
  if (wanted.glibcTunables !== undefined) added.GLIBC_TUNABLES = wanted.glibcTunables;
  return Object.keys(added).length === 0 ? {} : { env: { ...added, ...parent } };
}

export function policyFromConfig(config: Config): Policy {
  return {
    backoff: { initialMs: config.restartBackoffInitialMs, maxMs: config.restartBackoffMaxMs, resetMs: config.restartBackoffResetMs },
    window: { intensity: config.restartIntensity, periodMs: config.restartPeriodMs },
  };
}
