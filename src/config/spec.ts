import { MEDIA_FETCH_TIMEOUT_MS_DEFAULT, MEDIA_MAX_BYTES_DEFAULT } from '../media/defaults.js';
import { WORKER_ID_PATTERN, WORKER_ID_RULE } from '../worker-id.js';
import { aesKey, backendUrl, boolean, executablePath, glibcTunables, integer, list, nodeFlags, oneOf, proxyUrl, text, url, type Parser } from './parsers.js';

/**
 * Every environment variable the worker reads, in one table: name, default, parser, whether it is
 * secret (never printed, not even in errors) and the one-line comment `.env.example` carries.
 * `test/unit/env-example.test.ts` keeps this table, the code and `.env.example` in step.
 */
export interface VarSpec<T> {
  readonly name: string;
  /** Default as the raw string `.env.example` shows; undefined = unset (optional). */
  readonly default: string | undefined;
  readonly parse: Parser<T>;
  readonly secret?: boolean;
  readonly doc: string;
}

// Keeps the literal type of `default` so `Config` knows which fields can be undefined.
function v<T, D extends string | undefined>(spec: VarSpec<T> & { default: D }): VarSpec<T> & { default: D } {
  return spec;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const HOUR = 3_600_000;

export const SPEC = {
  // --- HTTP server and identity
  port: v({ name: 'PORT', default: '3001', parse: integer(1, 65535), doc: 'HTTP port of the worker API, health and metrics' }),
  host: v({ name: 'HOST', default: undefined, parse: text({ pattern: /^[A-Za-z0-9.:_-]+$/, describe: 'a host name or IP address' }), doc: 'address the HTTP server binds to; unset = 0.0.0.0 with WORKER_AUTH_TOKEN, 127.0.0.1 without' }),
  allowUnauthenticatedApi: v({ name: 'ALLOW_UNAUTHENTICATED_API', default: 'false', parse: boolean, doc: 'true = allow a non-loopback HOST without WORKER_AUTH_TOKEN (the session API open to the network)' }),
  dataDir: v({ name: 'DATA_DIR', default: './data', parse: text(), doc: 'local auth cache, session registry, assignment cache and worker id' }),
  workerId: v({ name: 'WORKER_ID', default: undefined, parse: text({ pattern: WORKER_ID_PATTERN, describe: WORKER_ID_RULE }), doc: 'worker id; default: generated once and kept in DATA_DIR/worker-id' }),
  workerEndpoint: v({ name: 'WORKER_ENDPOINT', default: undefined, parse: url(['http', 'https']), doc: 'URL the backend uses to reach this worker; default http://<hostname>:<PORT>' }),
  maxSessions: v({ name: 'MAX_SESSIONS', default: '500', parse: integer(1, 100_000), doc: 'most sessions this worker hosts at once' }),
  // --- backend
  backendUrl: v({ name: 'BACKEND_URL', default: undefined, parse: backendUrl(), doc: 'control-plane backend base URL, without /api; unset = standalone mode' }),
  backendProfile: v({ name: 'BACKEND_PROFILE', default: 'seed', parse: oneOf(['seed', 'whatsam'] as const), doc: 'backend contract: seed or whatsam' }),
  workerAuthToken: v({ name: 'WORKER_AUTH_TOKEN', default: undefined, parse: text({ maxLength: 4096 }), secret: true, doc: 'bearer token for backend calls and for /api/* on this worker; unset = API open, on loopback only' }),
  sendRateLimitPerMinute: v({ name: 'SEND_RATE_LIMIT_PER_MINUTE', default: '60', parse: integer(0, 100_000), doc: 'messages one session may send per minute, sustained (token bucket); 0 = no limit' }),
  sendRateLimitBurst: v({ name: 'SEND_RATE_LIMIT_BURST', default: '20', parse: integer(1, 100_000), doc: 'messages one session may send at once after a quiet spell; over the limit: 429 with Retry-After' }),
  assignmentPollInterval: v({ name: 'ASSIGNMENT_POLL_INTERVAL', default: '60000', parse: integer(1000, 24 * HOUR), doc: 'ms between fetches of assigned sessions' }),
  backendTimeout: v({ name: 'BACKEND_TIMEOUT', default: '10000', parse: integer(100, 600_000), doc: 'ms timeout of one backend request' }),
  nodeEnv: v({ name: 'NODE_ENV', default: undefined, parse: text({ pattern: /^[A-Za-z0-9_.-]{1,32}$/, describe: '[A-Za-z0-9_.-]{1,32}' }), doc: 'deployment environment (e.g. production), reported to a whatsam backend at registration' }),
  // --- event delivery (durable outbox, client webhook)
  webhookUrl: v({ name: 'WEBHOOK_URL', default: undefined, parse: url(['http', 'https']), doc: 'client webhook that receives every session, message and receipt event (any mode); unset = none' }),
  webhookSecret: v({ name: 'WEBHOOK_SECRET', default: undefined, parse: text({ pattern: /^[\s\S]{16,4096}$/, describe: '16 to 4096 characters' }), secret: true, doc: 'HMAC-SHA256 key for the X-Webhook-Signature header of WEBHOOK_URL calls; unset = unsigned' }),
  outboxMaxBytes: v({ name: 'OUTBOX_MAX_BYTES', default: '268435456', parse: integer(65_536, 2 ** 40), doc: 'disk quota of the event outbox (DATA_DIR/outbox.sqlite payloads); undelivered events are retried until it is full' }),
  outboxSync: v({ name: 'OUTBOX_SYNC', default: 'normal', parse: oneOf(['normal', 'full'] as const), doc: 'outbox durability: normal survives a process kill (~0.1 ms/event), full also a power loss (fsync per event, ~3 ms)' }),
  outboxRejectRetries: v({ name: 'OUTBOX_REJECT_RETRIES', default: '3', parse: integer(1, 100), doc: 'attempts of an event a sink answers with 4xx before it moves to the dead-letter store' }),
  // --- storage
  storageDriver: v({ name: 'STORAGE_DRIVER', default: 'local', parse: oneOf(['local', 'minio'] as const), doc: 'auth snapshot storage: local or minio (any S3-compatible server)' }),
  minioEndpoint: v({ name: 'MINIO_ENDPOINT', default: 'localhost', parse: text({ pattern: /^[A-Za-z0-9.:_-]+$/, describe: 'a host name without scheme' }), doc: 'S3 server host name (no scheme)' }),
  minioPort: v({ name: 'MINIO_PORT', default: '9000', parse: integer(1, 65535), doc: 'S3 server port' }),
  minioUseSsl: v({ name: 'MINIO_USE_SSL', default: 'false', parse: boolean, doc: 'use TLS to the S3 server' }),
  minioAccessKey: v({ name: 'MINIO_ACCESS_KEY', default: 'minioadmin', parse: text(), secret: true, doc: 'S3 access key' }),
  minioSecretKey: v({ name: 'MINIO_SECRET_KEY', default: 'minioadmin', parse: text(), secret: true, doc: 'S3 secret key' }),
  minioBucket: v({ name: 'MINIO_BUCKET', default: 'whatsapp-sessions', parse: text({ pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, describe: 'an S3 bucket name' }), doc: 'bucket for auth snapshots (created when missing)' }),
  minioRegion: v({ name: 'MINIO_REGION', default: 'us-east-1', parse: text({ pattern: /^[a-z0-9-]{1,32}$/, describe: 'an S3 region name' }), doc: 'S3 region used for request signing' }),
  storageTimeout: v({ name: 'STORAGE_TIMEOUT', default: '15000', parse: integer(100, 600_000), doc: 'ms timeout of one storage operation' }),
  authEncryptionKey: v({ name: 'AUTH_ENCRYPTION_KEY', default: undefined, parse: aesKey, secret: true, doc: 'AES-256-GCM key for snapshots at rest (64 hex chars or base64); unset = not encrypted' }),
  authEncryptionKeyPrevious: v({ name: 'AUTH_ENCRYPTION_KEY_PREVIOUS', default: undefined, parse: aesKey, secret: true, doc: 'previous key, still accepted for reading during a key rotation' }),
  // --- WhatsApp
  waWebsocketUrl: v({ name: 'WA_WEBSOCKET_URL', default: undefined, parse: url(['ws', 'wss']), doc: "WhatsApp web socket URL; unset = Baileys' default" }),
  waProxyUrl: v({ name: 'WA_PROXY_URL', default: undefined, parse: proxyUrl, secret: true, doc: 'default egress proxy of sessions without their own (http, https, socks5 or socks5h://[user:password@]host:port); unset = direct' }),
  qrMaxAttempts: v({ name: 'QR_MAX_ATTEMPTS', default: '5', parse: integer(1, 100), doc: 'QR codes shown before a session fails with qr_timeout' }),
  logoutTimeoutMs: v({ name: 'LOGOUT_TIMEOUT_MS', default: '30000', parse: integer(1000, HOUR), doc: 'ms a logout waits to reach WhatsApp before it stays pending (done at the next start)' }),
  badSessionMaxAttempts: v({ name: 'BAD_SESSION_MAX_ATTEMPTS', default: '5', parse: integer(1, 1000), doc: 'reconnects after close code 500 without an open before a session fails with bad_session' }),
  contactCheckCacheTtlMs: v({ name: 'CONTACT_CHECK_CACHE_TTL_MS', default: '600000', parse: integer(0, 24 * HOUR), doc: 'ms a session remembers whether a number is on WhatsApp (number checks and the check before a send; 0 = ask every time)' }),
  // --- media (issue 14 §4, issue 16 §3)
  mediaAllowPrivateUrls: v({ name: 'MEDIA_ALLOW_PRIVATE_URLS', default: 'false', parse: boolean, doc: 'let media URLs reach loopback, private, link-local, CGNAT and cloud metadata addresses' }),
  mediaMaxBytes: v({ name: 'MEDIA_MAX_BYTES', default: String(MEDIA_MAX_BYTES_DEFAULT), parse: integer(1024, 2 * 1024 ** 3), doc: 'largest medium fetched for a send or downloaded from WhatsApp (bytes; 64 MiB)' }),
  mediaFetchTimeoutMs: v({ name: 'MEDIA_FETCH_TIMEOUT_MS', default: String(MEDIA_FETCH_TIMEOUT_MS_DEFAULT), parse: integer(1000, 600_000), doc: 'ms one media fetch or download may take, redirects included' }),
  sendConfirmTimeoutMs: v({ name: 'SEND_CONFIRM_TIMEOUT_MS', default: '20000', parse: integer(100, 50_000), doc: 'ms a send waits for WhatsApp before the API answers 202 pending (the send goes on; its outcome follows as a message status)' }),
  // --- recovery (names kept from the seed design)
  enableSessionRecovery: v({ name: 'ENABLE_SESSION_RECOVERY', default: 'true', parse: boolean, doc: 'recover assigned sessions at start' }),
  recoveryTimeout: v({ name: 'RECOVERY_TIMEOUT', default: '30000', parse: integer(1000, 24 * HOUR), doc: 'ms one session has to reach a final state during recovery' }),
  maxRecoveryAttempts: v({ name: 'MAX_RECOVERY_ATTEMPTS', default: '3', parse: integer(1, 100), doc: 'attempts per session for retryable recovery failures' }),
  recoveryConcurrency: v({ name: 'RECOVERY_CONCURRENCY', default: undefined, parse: integer(1, 1000), doc: 'most session hosts booting at once during recovery; unset = 3 per CPU core, at least 4' }),
  // --- heartbeat
  heartbeatInterval: v({ name: 'HEARTBEAT_INTERVAL', default: '30000', parse: integer(1000, 24 * HOUR), doc: 'ms between heartbeats to the backend' }),
  heartbeatTimeout: v({ name: 'HEARTBEAT_TIMEOUT', default: '10000', parse: integer(100, 600_000), doc: 'ms timeout of one heartbeat request, at most HEARTBEAT_INTERVAL (unset: follows a smaller interval)' }),
  includeSessionData: v({ name: 'INCLUDE_SESSION_DATA', default: 'true', parse: boolean, doc: 'include per-session data in heartbeats' }),
  workerVersion: v({ name: 'WORKER_VERSION', default: undefined, parse: text({ maxLength: 64 }), doc: 'version reported to the backend; default: package.json version' }),
  workerFeatures: v({ name: 'WORKER_FEATURES', default: 'multi-session,session-recovery,auth-snapshots,metrics', parse: list(/^[A-Za-z0-9_.:-]{1,64}$/, 'feature names'), doc: 'comma-separated capabilities reported to the backend' }),
  // --- supervision
  restartBackoffInitialMs: v({ name: 'RESTART_BACKOFF_INITIAL_MS', default: '1000', parse: integer(0, HOUR), doc: 'backoff before the second restart of a crashing host (the first is immediate)' }),
  restartBackoffMaxMs: v({ name: 'RESTART_BACKOFF_MAX_MS', default: '60000', parse: integer(0, 24 * HOUR), doc: 'cap of the exponential restart backoff, at least RESTART_BACKOFF_INITIAL_MS (unset: follows a larger initial)' }),
  restartBackoffResetMs: v({ name: 'RESTART_BACKOFF_RESET_MS', default: '120000', parse: integer(0, 24 * HOUR), doc: 'a host stable this long gets its backoff reset' }),
  restartIntensity: v({ name: 'RESTART_INTENSITY', default: '5', parse: integer(0, 10_000), doc: 'more restarts than this within RESTART_PERIOD_MS quarantines a session (failed, crash_loop)' }),
  restartPeriodMs: v({ name: 'RESTART_PERIOD_MS', default: '300000', parse: integer(1000, 24 * HOUR), doc: 'window of the restart intensity check' }),
  hostStopTimeoutMs: v({ name: 'HOST_STOP_TIMEOUT_MS', default: '10000', parse: integer(100, 600_000), doc: 'ms a host gets to stop after IPC stop before SIGTERM, and again before SIGKILL' }),
  hostPingIntervalMs: v({ name: 'HOST_PING_INTERVAL_MS', default: '5000', parse: integer(100, HOUR), doc: 'ms between watchdog pings to each host' }),
  // A 1 MB V8 young generation cuts a host's PSS from about 108 MB to about 65 MB at the same boot
  // CPU (bench/README.md); the cost is more frequent minor GCs during message bursts. No other V8
  // flag measured better (bench/host-memory/README.md has the sweep).
  hostNodeFlags: v({ name: 'HOST_NODE_FLAGS', default: '--max-semi-space-size=1', parse: nodeFlags, doc: 'extra Node/V8 flags for session host processes (space separated), or none' }),
  // A host's boot parses Baileys' 5.6 MB bundle chunk (WAProto); V8's ~21 MB of parser/compiler
  // memory comes from glibc's main arena, which keeps it after it is freed (20 MB of a connected
  // host's 54 MB PSS). A fixed mmap threshold hands those blocks back to the kernel on free:
  // PSS 55 → 37 MB for about 5 % more boot CPU (mmap/munmap and page faults, +16 ms per host;
  // bench/host-memory/README.md). Only glibc reads it (the Docker image is Debian); musl ignores it.
  hostGlibcTunables: v({ name: 'HOST_GLIBC_TUNABLES', default: 'glibc.malloc.mmap_threshold=32768', parse: glibcTunables, doc: 'GLIBC_TUNABLES of session host processes (an operator-set GLIBC_TUNABLES wins), or none' }),
  // A spare costs one idle host's memory (~48 MB PSS) and no CPU while it waits (bench/README.md);
  // two cover a kill -9 and a create in the same second, and a restart through one skips Node's
  // bootstrap and the bundle's evaluation.
  hostSpares: v({ name: 'HOST_SPARES', default: '2', parse: integer(0, 64), doc: 'pre-booted session hosts waiting for the next session start (kill -9 restart, create, recovery); 0 = none' }),
  hostNodePath: v({ name: 'HOST_NODE_PATH', default: undefined, parse: executablePath, doc: "node binary the session hosts run on (e.g. a Node 22 install, which has a compile cache); unset = the supervisor's own" }),
  hostCompileCache: v({ name: 'HOST_COMPILE_CACHE', default: 'true', parse: boolean, doc: 'hosts keep a V8 code cache of their bundle in DATA_DIR/compile-cache, written after the first connect (false: compile from source)' }),
  hostSampleIntervalMs: v({ name: 'HOST_SAMPLE_INTERVAL_MS', default: '10000', parse: integer(1000, 300_000), doc: 'ms between background /proc samples of every host (CPU every time, PSS when the host\'s RSS moved 1 % or every 6th); /metrics shows the last one' }),
  hostPingTimeoutMs: v({ name: 'HOST_PING_TIMEOUT_MS', default: '15000', parse: integer(100, HOUR), doc: 'a host that has not answered a ping this long is killed and restarted' }),
  // --- observability
  logLevel: v({ name: 'LOG_LEVEL', default: 'info', parse: oneOf(LOG_LEVELS), doc: 'fatal, error, warn, info, debug, trace or silent' }),
  logFormat: v({ name: 'LOG_FORMAT', default: undefined, parse: oneOf(['pretty', 'json'] as const), doc: 'pretty or json log lines, whatever the terminal; unset = LOG_PRETTY, else pretty on a TTY' }),
  logPretty: v({ name: 'LOG_PRETTY', default: undefined, parse: boolean, doc: 'older switch for LOG_FORMAT (true = pretty, false = json); LOG_FORMAT wins when both are set' }),
  metricsToken: v({ name: 'METRICS_TOKEN', default: undefined, parse: text({ maxLength: 4096 }), secret: true, doc: 'bearer token required on /metrics; unset = open' }),
  metricsPerSession: v({ name: 'METRICS_PER_SESSION', default: 'true', parse: boolean, doc: 'export per-host memory and CPU with a session label' }),
} as const;

export type Spec = typeof SPEC;
type ValueOf<S> = S extends VarSpec<infer T> ? T : never;
type HasDefault<S> = S extends { default: string } ? true : false;

/** The typed, frozen configuration object. Optional variables without default are `undefined`. */
export type Config = {
  readonly [K in keyof Spec]: HasDefault<Spec[K]> extends true ? ValueOf<Spec[K]> : ValueOf<Spec[K]> | undefined;
} & {
  /** Always set after parsing: HOST's default depends on WORKER_AUTH_TOKEN (src/config/listen.ts). */
  readonly host: string;
};

export const ALL_VARIABLES: readonly string[] = Object.values(SPEC).map((s) => s.name);
