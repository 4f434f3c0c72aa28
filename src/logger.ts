import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths pino censors wherever they appear (one level deep and at the top). Tokens, keys and auth
 * material must never reach a log line, even at debug level.
 */
export const REDACT_PATHS: readonly string[] = [
  'token', 'authToken', 'workerAuthToken', 'metricsToken', 'accessKey', 'secretKey', 'secret', 'password',
  'authorization', 'Authorization', 'encryptionKey', 'authEncryptionKey', 'authEncryptionKeyPrevious',
  'minioAccessKey', 'minioSecretKey', 'creds', 'keys', 'privKey', 'noiseKey', 'signedIdentityKey',
  'advSecretKey', 'qr', 'pairingCode', 'waProxyUrl', 'proxyUrl',
  '*.token', '*.authToken', '*.workerAuthToken', '*.metricsToken', '*.accessKey', '*.secretKey', '*.secret',
  '*.password', '*.authorization', '*.Authorization', '*.encryptionKey', '*.authEncryptionKey',
  '*.authEncryptionKeyPrevious', '*.minioAccessKey', '*.minioSecretKey', '*.creds', '*.privKey', '*.qr', '*.pairingCode',
  '*.waProxyUrl', '*.proxyUrl',
  'req.headers.authorization', 'headers.authorization', 'config.headers.Authorization',
];

export interface LoggerSettings {
  level: string;
  /** true/false forces; undefined = pretty only when stdout is a TTY. */
  pretty?: boolean | undefined;
  name?: string;
  base?: Record<string, unknown>;
}

/** LOG_FORMAT wins over the older LOG_PRETTY; neither set = undefined (pretty only on a TTY). */
export function prettyLogs(format: 'pretty' | 'json' | undefined, pretty: boolean | undefined): boolean | undefined {
  return format !== undefined ? format === 'pretty' : pretty;
}

export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  const pretty = settings.pretty ?? Boolean(process.stdout.isTTY);
  const options: LoggerOptions = {
    level: settings.level,
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    base: { pid: process.pid, ...(settings.name ? { name: settings.name } : {}), ...settings.base },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (pretty) {
    options.transport = { target: 'pino-pretty', options: { colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l' } };
  }
  return options;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options = loggerOptions(settings);
  if (options.transport) return pino(options);
  // Synchronous stdout: pino's default asynchronous stream, flushed synchronously by
  // `process.exit`, can land the last lines before an earlier write still in flight, so a
  // shutdown log read "stopped" before "signal received". pino.destination keeps its EPIPE guard.
  return pino(options, pino.destination({ dest: 1, sync: true }));
}
