import { pino } from 'pino';
import type { SessionEvent } from '../../../src/session-view.js';
import { SessionActor, type HostSettings } from '../../../supervisor/actor/session-actor.js';
import type { Policy } from '../../../supervisor/actor/transitions.js';
import { fixtureHost } from './build.js';
import { testInit } from './init.js';

export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export const fastPolicy: Policy = {
  backoff: { initialMs: 200, maxMs: 800, resetMs: 60_000 },
  window: { intensity: 3, periodMs: 60_000 },
};

export function hostSettings(fixture: string, over: Partial<HostSettings> = {}): HostSettings {
  return { hostModulePath: fixtureHost(fixture), stopTimeoutMs: 300, pingIntervalMs: 100, pingTimeoutMs: 400, bootTimeoutMs: 10_000, execArgv: [], ...over };
}

export function makeActor(sessionId: string, fixture: string, options: { policy?: Policy; host?: Partial<HostSettings>; events?: SessionEvent[] } = {}): SessionActor {
  const events = options.events ?? [];
  return new SessionActor({
    spec: { sessionId },
    policy: options.policy ?? fastPolicy,
    host: hostSettings(fixture, options.host),
    makeInit: (id, isRecovery) => testInit(id, isRecovery),
    emit: (e) => events.push(e),
    onRemoved: () => undefined,
    logger: quietLogger,
  });
}

import { SessionRegistry } from '../../../supervisor/registry/session-registry.js';
import type { RegistryFile } from '../../../supervisor/registry/registry-file.js';

export function makeRegistry(fixture: string, options: { maxSessions?: number; policy?: Policy; host?: Partial<HostSettings>; file?: RegistryFile } = {}): SessionRegistry {
  return new SessionRegistry({
    maxSessions: options.maxSessions ?? 100,
    policy: options.policy ?? fastPolicy,
    host: hostSettings(fixture, options.host),
    makeInit: (id, isRecovery) => testInit(id, isRecovery),
    logger: quietLogger,
    file: options.file,
  });
}
