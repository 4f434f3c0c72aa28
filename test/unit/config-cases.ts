/**
 * Expected behaviour of every configuration variable, written out by hand (not derived from
 * src/config/spec.ts) so a changed default or rule fails a test. config.test.ts checks that this
 * table names exactly the variables of the spec.
 */
export interface VarCase {
  /** Parsed value when unset. */
  readonly default: unknown;
  /** Raw value → parsed value. */
  readonly good: ReadonlyArray<readonly [string, unknown]>;
  /** Values that must stop start-up. */
  readonly bad: readonly string[];
  /** What the error line says is allowed (after `NAME=value: `). */
  readonly allowed?: string;
}

const ms = (min: number, max: number): string => `expected an integer ${min}-${max}`;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const HEX_KEY = 'ab'.repeat(32);
const B64_KEY = Buffer.alloc(32, 7).toString('base64');
const BOOL_GOOD = [['true', true], ['1', true], ['yes', true], ['ON', true], ['false', false], ['0', false], ['no', false], ['Off', false]] as const;

export const CASES: Readonly<Record<string, VarCase>> = {
  PORT: { default: 3001, good: [['8080', 8080], ['1', 1], ['65535', 65535], [' 42 ', 42]], bad: ['abc', '0', '65536', '-1', '3.5', '1e3'], allowed: ms(1, 65535) },
  // Without WORKER_AUTH_TOKEN only loopback is accepted (the rest: config.test.ts, 'API exposure').
  HOST: { default: '127.0.0.1', good: [['127.0.0.1', '127.0.0.1'], ['::1', '::1'], ['localhost', 'localhost'], ['127.0.0.2', '127.0.0.2']], bad: ['http://x', 'a b'], allowed: 'expected a host name or IP address' },
  ALLOW_UNAUTHENTICATED_API: { default: false, good: BOOL_GOOD, bad: ['maybe'], allowed: 'expected true or false' },
  // Any non-empty path is accepted; an empty value means "unset" (the default).
  DATA_DIR: { default: './data', good: [['/var/lib/wa', '/var/lib/wa'], [' ./d ', './d']], bad: [] },
  WORKER_ID: { default: undefined, good: [['worker-1', 'worker-1'], ['a.b_c-D', 'a.b_c-D']], bad: ['has space', 'a/b', 'x'.repeat(129)], allowed: 'expected [A-Za-z0-9_.-]{1,128}' },
  WORKER_ENDPOINT: { default: undefined, good: [['http://10.0.0.5:3001/', 'http://10.0.0.5:3001'], ['https://w1.example.com', 'https://w1.example.com']], bad: ['ftp://x', 'not a url'], allowed: 'expected a URL (http or https)' },
  MAX_SESSIONS: { default: 500, good: [['1', 1], ['100000', 100000]], bad: ['0', '100001', 'many'], allowed: ms(1, 100_000) },
  BACKEND_URL: { default: undefined, good: [['https://api.example.com/', 'https://api.example.com'], ['http://127.0.0.1:4000/base', 'http://127.0.0.1:4000/base']], bad: ['api.example.com', 'ws://x'], allowed: 'expected a URL (http or https)' },
  BACKEND_PROFILE: { default: 'seed', good: [['whatsam', 'whatsam'], ['SEED', 'seed']], bad: ['other'], allowed: 'expected one of seed, whatsam' },
  WORKER_AUTH_TOKEN: { default: undefined, good: [['tok-123', 'tok-123']], bad: ['x'.repeat(4097)], allowed: 'expected at most 4096 characters' },
  SEND_RATE_LIMIT_PER_MINUTE: { default: 60, good: [['0', 0], ['600', 600]], bad: ['-1', '100001', 'fast'], allowed: 'expected an integer 0-100000' },
  SEND_RATE_LIMIT_BURST: { default: 20, good: [['1', 1], ['100', 100]], bad: ['0', '100001'], allowed: 'expected an integer 1-100000' },
  ASSIGNMENT_POLL_INTERVAL: { default: 60000, good: [['1000', 1000], [String(DAY), DAY]], bad: ['999', String(DAY + 1)], allowed: ms(1000, DAY) },
  BACKEND_TIMEOUT: { default: 10000, good: [['100', 100]], bad: ['99', '600001'], allowed: ms(100, 600_000) },
  NODE_ENV: { default: undefined, good: [['production', 'production'], ['staging-2', 'staging-2']], bad: ['pro duction', 'x'.repeat(33)], allowed: 'expected [A-Za-z0-9_.-]{1,32}' },
  WEBHOOK_URL: { default: undefined, good: [['https://hooks.example.com/wa?x=1', 'https://hooks.example.com/wa?x=1']], bad: ['hooks.example.com', 'ftp://x'], allowed: 'expected a URL (http or https)' },
  WEBHOOK_SECRET: { default: undefined, good: [['0123456789abcdef', '0123456789abcdef']], bad: ['short', 'x'.repeat(4097)], allowed: 'expected 16 to 4096 characters' },
  OUTBOX_MAX_BYTES: { default: 268435456, good: [['65536', 65536], ['1099511627776', 2 ** 40]], bad: ['65535', '1099511627777', 'lots'], allowed: ms(65_536, 2 ** 40) },
  BAD_SESSION_MAX_ATTEMPTS: { default: 5, good: [['1', 1], ['1000', 1000]], bad: ['0', '1001'], allowed: ms(1, 1000) },
  OUTBOX_SYNC: { default: 'normal', good: [['full', 'full'], ['NORMAL', 'normal']], bad: ['off'], allowed: 'expected one of normal, full' },
  OUTBOX_REJECT_RETRIES: { default: 3, good: [['1', 1], ['100', 100]], bad: ['0', '101'], allowed: ms(1, 100) },
  STORAGE_DRIVER: { default: 'local', good: [['minio', 'minio'], ['LOCAL', 'local']], bad: ['s3'], allowed: 'expected one of local, minio' },
  MINIO_ENDPOINT: { default: 'localhost', good: [['s3.internal', 's3.internal']], bad: ['http://s3', 's3/x'], allowed: 'expected a host name without scheme' },
  MINIO_PORT: { default: 9000, good: [['443', 443]], bad: ['70000', 'x'], allowed: ms(1, 65535) },
  MINIO_USE_SSL: { default: false, good: BOOL_GOOD, bad: ['maybe'], allowed: 'expected true or false' },
  MINIO_ACCESS_KEY: { default: 'minioadmin', good: [['AKIAEXAMPLE', 'AKIAEXAMPLE']], bad: [] },
  MINIO_SECRET_KEY: { default: 'minioadmin', good: [['s3cr3t', 's3cr3t']], bad: [] },
  MINIO_BUCKET: { default: 'whatsapp-sessions', good: [['my.bucket-1', 'my.bucket-1']], bad: ['Upper', 'ab', '-bad'], allowed: 'expected an S3 bucket name' },
  MINIO_REGION: { default: 'us-east-1', good: [['eu-west-2', 'eu-west-2']], bad: ['EU WEST'], allowed: 'expected an S3 region name' },
  STORAGE_TIMEOUT: { default: 15000, good: [['600000', 600000]], bad: ['50'], allowed: ms(100, 600_000) },
  AUTH_ENCRYPTION_KEY: { default: undefined, good: [[HEX_KEY, Buffer.from(HEX_KEY, 'hex')], [B64_KEY, Buffer.alloc(32, 7)]], bad: ['short', 'ab'.repeat(31), Buffer.alloc(16).toString('base64')], allowed: 'expected 32 bytes as 64 hex characters or base64' },
  AUTH_ENCRYPTION_KEY_PREVIOUS: { default: undefined, good: [[HEX_KEY, Buffer.from(HEX_KEY, 'hex')]], bad: ['zz'.repeat(32)], allowed: 'expected 32 bytes as 64 hex characters or base64' },
  WA_WEBSOCKET_URL: { default: undefined, good: [['ws://127.0.0.1:8080/ws/chat', 'ws://127.0.0.1:8080/ws/chat'], ['wss://web.whatsapp.com/ws/chat', 'wss://web.whatsapp.com/ws/chat']], bad: ['http://x', 'nope'], allowed: 'expected a URL (ws or wss)' },
  LOGOUT_TIMEOUT_MS: { default: 30000, good: [['1000', 1000], [String(HOUR), HOUR]], bad: ['999', String(HOUR + 1), '30s'], allowed: ms(1000, HOUR) },
  CONTACT_CHECK_CACHE_TTL_MS: { default: 600000, good: [['0', 0], [String(24 * HOUR), 24 * HOUR]], bad: ['-1', String(24 * HOUR + 1), '10m'], allowed: ms(0, 24 * HOUR) },
  SEND_CONFIRM_TIMEOUT_MS: { default: 20000, good: [['100', 100], ['50000', 50000]], bad: ['99', '50001', '20s'], allowed: ms(100, 50_000) },
  WA_PROXY_URL: {
    default: undefined,
    good: [['http://127.0.0.1:3128', 'http://127.0.0.1:3128'], [' socks5h://u:p%40ss@proxy.example:1080/ ', 'socks5h://u:p%40ss@proxy.example:1080'], ['HTTPS://[::1]:8443', 'https://[::1]:8443']],
    bad: ['ftp://h:21', 'http://h', 'http://h:0', 'socks5://h:1080/path', 'http://:pw@h:1', 'not a url'],
    allowed: 'expected scheme://[user:password@]host:port with scheme http, https, socks5, socks5h',
  },
  QR_MAX_ATTEMPTS: { default: 5, good: [['1', 1], ['100', 100]], bad: ['0', '101'], allowed: ms(1, 100) },
  MEDIA_ALLOW_PRIVATE_URLS: { default: false, good: BOOL_GOOD, bad: ['yes please'], allowed: 'expected true or false' },
  MEDIA_MAX_BYTES: { default: 67108864, good: [['1024', 1024], ['2147483648', 2147483648]], bad: ['1023', '2147483649', '64MB'], allowed: ms(1024, 2147483648) },
  MEDIA_FETCH_TIMEOUT_MS: { default: 30000, good: [['1000', 1000], ['600000', 600000]], bad: ['999', '600001'], allowed: ms(1000, 600_000) },
  ENABLE_SESSION_RECOVERY: { default: true, good: BOOL_GOOD, bad: ['nope'], allowed: 'expected true or false' },
  RECOVERY_TIMEOUT: { default: 30000, good: [['1000', 1000]], bad: ['999'], allowed: ms(1000, DAY) },
  MAX_RECOVERY_ATTEMPTS: { default: 3, good: [['1', 1]], bad: ['0', '101'], allowed: ms(1, 100) },
  RECOVERY_CONCURRENCY: { default: undefined, good: [['1000', 1000]], bad: ['0', '1001'], allowed: ms(1, 1000) },
  HEARTBEAT_INTERVAL: { default: 30000, good: [['60000', 60000], ['10000', 10000]], bad: ['999'], allowed: ms(1000, DAY) },
  HEARTBEAT_TIMEOUT: { default: 10000, good: [['5000', 5000], ['100', 100]], bad: ['99'], allowed: ms(100, 600_000) },
  INCLUDE_SESSION_DATA: { default: true, good: BOOL_GOOD, bad: ['x'], allowed: 'expected true or false' },
  WORKER_VERSION: { default: undefined, good: [['1.2.3', '1.2.3']], bad: ['x'.repeat(65)], allowed: 'expected at most 64 characters' },
  WORKER_FEATURES: {
    default: ['multi-session', 'session-recovery', 'auth-snapshots', 'metrics'],
    good: [['a, b,,c', ['a', 'b', 'c']], ['x:y', ['x:y']]],
    bad: ['a b', 'ok,no/slash'],
    allowed: 'expected a comma-separated list of feature names',
  },
  RESTART_BACKOFF_INITIAL_MS: { default: 1000, good: [['0', 0], ['60000', 60000]], bad: ['-1', String(HOUR + 1)], allowed: ms(0, HOUR) },
  RESTART_BACKOFF_MAX_MS: { default: 60000, good: [['1000', 1000], [String(DAY), DAY]], bad: ['x'], allowed: ms(0, DAY) },
  RESTART_BACKOFF_RESET_MS: { default: 120000, good: [['0', 0]], bad: ['-5'], allowed: ms(0, DAY) },
  RESTART_INTENSITY: { default: 5, good: [['0', 0], ['10000', 10000]], bad: ['10001'], allowed: ms(0, 10_000) },
  RESTART_PERIOD_MS: { default: 300000, good: [['1000', 1000]], bad: ['999'], allowed: ms(1000, DAY) },
  HOST_STOP_TIMEOUT_MS: { default: 10000, good: [['100', 100]], bad: ['99'], allowed: ms(100, 600_000) },
  HOST_PING_INTERVAL_MS: { default: 5000, good: [['100', 100]], bad: ['99'], allowed: ms(100, HOUR) },
  HOST_NODE_FLAGS: {
    default: ['--max-semi-space-size=1'],
    good: [['none', []], ['--max-old-space-size=256  --max-semi-space-size=2', ['--max-old-space-size=256', '--max-semi-space-size=2']]],
    bad: ['--require=/tmp/x.js', 'max-semi-space-size=1', '--a; rm'],
    allowed: 'expected space-separated flags like --max-semi-space-size=1, or none',
  },
  HOST_GLIBC_TUNABLES: {
    default: 'glibc.malloc.mmap_threshold=32768',
    good: [['none', undefined], ['glibc.malloc.mmap_threshold=8192:glibc.malloc.trim_threshold=131072', 'glibc.malloc.mmap_threshold=8192:glibc.malloc.trim_threshold=131072']],
    bad: ['mmap_threshold=1', 'glibc.malloc.mmap_threshold=1;rm', 'glibc.malloc.mmap_threshold=$(x)'],
    allowed: 'expected glibc tunables like glibc.malloc.mmap_threshold=32768 (colon separated), or none',
  },
  HOST_SPARES: { default: 2, good: [['0', 0], ['64', 64]], bad: ['-1', '65', 'two'], allowed: ms(0, 64) },
  HOST_NODE_PATH: { default: undefined, good: [[process.execPath, process.execPath]], bad: ['node', '/nonexistent/bin/node'], allowed: 'expected an absolute path to an executable node binary' },
  HOST_COMPILE_CACHE: { default: true, good: BOOL_GOOD, bad: ['maybe'], allowed: 'expected true or false' },
  HOST_SAMPLE_INTERVAL_MS: { default: 10000, good: [['1000', 1000], ['300000', 300_000]], bad: ['999', '300001'], allowed: ms(1000, 300_000) },
  HOST_PING_TIMEOUT_MS: { default: 15000, good: [[String(HOUR), HOUR]], bad: [String(HOUR + 1)], allowed: ms(100, HOUR) },
  LOG_LEVEL: { default: 'info', good: [['debug', 'debug'], ['SILENT', 'silent'], ['trace', 'trace']], bad: ['verbose'], allowed: 'expected one of fatal, error, warn, info, debug, trace, silent' },
  LOG_FORMAT: { default: undefined, good: [['pretty', 'pretty'], ['json', 'json'], ['JSON', 'json']], bad: ['yaml'], allowed: 'expected one of pretty, json' },
  LOG_PRETTY: { default: undefined, good: BOOL_GOOD, bad: ['pretty'], allowed: 'expected true or false' },
  METRICS_TOKEN: { default: undefined, good: [['t', 't']], bad: ['x'.repeat(4097)], allowed: 'expected at most 4096 characters' },
  METRICS_PER_SESSION: { default: true, good: BOOL_GOOD, bad: ['x'], allowed: 'expected true or false' },
};

/** Variables whose values must never appear in output (redacted even in error lines). */
export const SECRET_VARIABLES = ['WORKER_AUTH_TOKEN', 'MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY', 'AUTH_ENCRYPTION_KEY', 'AUTH_ENCRYPTION_KEY_PREVIOUS', 'METRICS_TOKEN', 'WEBHOOK_SECRET', 'WA_PROXY_URL'];
