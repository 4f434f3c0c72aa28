/**
 * Where the HTTP API listens, and whether that is allowed (issue 16 §4: secure by default).
 * Pure. Without `WORKER_AUTH_TOKEN` the session API has no authentication, so it listens on
 * loopback only; a non-loopback `HOST` then needs `ALLOW_UNAUTHENTICATED_API=true` on purpose.
 * With a token an unset `HOST` means every interface (the backend must reach the worker).
 */
import { ConfigError } from '../errors.js';

export interface ListenInput {
  host: string | undefined;
  workerAuthToken: string | undefined;
  allowUnauthenticatedApi: boolean;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '0:0:0:0:0:0:0:1']);

/** 127.0.0.0/8, ::1, ::ffff:127.x.y.z and `localhost`; anything else (0.0.0.0, ::, names) is not. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return LOOPBACK_NAMES.has(h) || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function hasToken(token: string | undefined): boolean {
  return token !== undefined && token !== '';
}

/** The address to bind; throws the one-line ConfigError start-up prints (exit 2). */
export function listenHost(input: ListenInput): string {
  const token = hasToken(input.workerAuthToken);
  if (input.host === undefined) return token ? '0.0.0.0' : '127.0.0.1';
  if (token || input.allowUnauthenticatedApi || isLoopbackAddress(input.host)) return input.host;
  throw new ConfigError(
    'HOST',
    `HOST=${input.host} without WORKER_AUTH_TOKEN would open the session API to the network: set WORKER_AUTH_TOKEN, or ALLOW_UNAUTHENTICATED_API=true to accept an unauthenticated API (or HOST=127.0.0.1)`,
  );
}
