/**
 * Entry of a session host: `node dist/host/session-host.mjs --session <id>`, forked by the
 * supervisor with an IPC channel. Sets the process title at once (so `pgrep -f wa-host:<id>`
 * finds it), waits for the `init` message (the only place secrets arrive), then runs one
 * `SessionHost`. Exit codes: src/exit-codes.ts.
 *
 * A spare (`--spare`, HOST_SPARES, issue 15) is the same process forked before any session needs
 * it: titled `wa-host-spare`, it says `spare-ready` once its modules are loaded and waits, with no
 * init deadline, for the `init` that names its one session; from then on it is that session's host
 * (`wa-host:<id>`) like any other, for the rest of its life.
 */
// First: replaces `console` before any dependency can print through it (key material, issue 16).
import { attachConsoleLogger } from './log/console-guard.js';
import * as nodeModule from 'node:module';
import { errorMessage } from '../src/errors.js';
import { EXIT } from '../src/exit-codes.js';
import type { HostInit } from '../src/ipc/protocol.js';
import { createLogger, type Logger } from '../src/logger.js';
import { markBoot, markSpare } from './boot-cost.js';
import { SessionHost } from './host.js';
import { IpcChannel } from './ipc-channel.js';
import { SPARE_TITLE, startupRoleFromArgv, validateInit, type StartupRole } from './startup-args.js';
import { installServerTrust } from './wa-trust/install.js';

markBoot('imported');

const INIT_TIMEOUT_MS = 30_000;

let role: StartupRole;
try {
  role = startupRoleFromArgv(process.argv);
} catch (err) {
  process.stderr.write(`${errorMessage(err)}\n`);
  process.exit(EXIT.INIT_FAILED);
}
const argvSessionId = role.kind === 'session' ? role.sessionId : undefined;
process.title = argvSessionId === undefined ? SPARE_TITLE : `wa-host:${argvSessionId}`;
if (role.kind === 'spare') markSpare();
// Before any socket exists: Baileys rc14 alone accepts any server certificate chain.
installServerTrust();

// With the supervisor gone, stdout may be a broken pipe; a log line must not crash the flush.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

let logger: Logger = createLogger({ level: 'info', pretty: false, name: 'wa-host', base: argvSessionId === undefined ? { spare: true } : { sessionId: argvSessionId } });
attachConsoleLogger(logger);
const channel = new IpcChannel(process);
let host: SessionHost | undefined;

const exit = (code: number): never => {
  channel.close();
  process.exit(code);
};

if (!channel.connected) {
  logger.error('started without an IPC channel; a session host is forked by the supervisor');
  process.exit(EXIT.INIT_FAILED);
}

// A spare waits as long as the supervisor keeps it (it exits when the channel closes).
const initTimer = argvSessionId === undefined ? undefined : setTimeout(() => {
  logger.error({ timeoutMs: INIT_TIMEOUT_MS }, 'no init message from the supervisor');
  channel.send({ type: 'init-failed', error: { code: 'INIT_TIMEOUT', message: 'no init message received' }, reason: 'init_failed' });
  exit(EXIT.INIT_FAILED);
}, INIT_TIMEOUT_MS);

channel.onMessage(
  (message) => {
    if (message.type === 'init') {
      if (host) return logger.warn('duplicate init message ignored');
      clearTimeout(initTimer);
      return onInit(message);
    }
    if (!host) {
      // A request before init: only `stop` makes sense, and there is nothing to flush yet.
      if (message.type === 'stop') {
        channel.respond<'stop'>(message.id, { generation: 0 });
        void channel.drained().then(() => exit(EXIT.STOPPED)); // drained() never rejects (it resolves when the channel is gone too)
        return;
      }
      return channel.fail(message.id, { code: 'NOT_READY', message: 'init has not been received' });
    }
    host.handle(message);
  },
  () => logger.warn('unknown IPC message ignored'),
);

function onInit(message: HostInit): void {
  markBoot('init');
  let init: HostInit;
  try {
    init = validateInit(message, argvSessionId);
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'invalid init');
    channel.send({ type: 'init-failed', error: { code: 'INIT_INVALID', message: errorMessage(err) }, reason: 'init_failed' });
    return void setTimeout(() => exit(EXIT.INIT_FAILED), 100);
  }
  const { sessionId } = init;
  // From here on this process is that session's host, whatever it was forked as.
  process.title = `wa-host:${sessionId}`;
  logger = createLogger({ level: init.logLevel, pretty: false, name: 'wa-host', base: { sessionId, workerId: init.workerId } });
  attachConsoleLogger(logger);
  // Baileys is chatty; it gets its own child at warn (or quieter, if the host is quieter).
  const quiet = ['error', 'fatal', 'silent'].includes(init.logLevel) ? init.logLevel : 'warn';
  const baileysLogger = logger.child({ module: 'baileys' }, { level: quiet });
  host = new SessionHost(init, channel, logger, baileysLogger, exit);
  host.start().catch((err: unknown) => {
    logger.fatal({ err }, 'session host start crashed');
    exit(1);
  });
}

// A signal handler cannot wait; stop() never rejects (its errors are logged) and ends in exit().
const stop = () => (host ? void host.stop() : exit(EXIT.STOPPED));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// Orphan guard: a forked child with live timers would outlive a SIGKILLed supervisor.
process.on('disconnect', () => {
  logger.warn('IPC channel closed: the supervisor is gone');
  // Messages waiting for the outbox's ack get no receipt: WhatsApp keeps them for the next host.
  channel.abandonDeliveries();
  if (host) void host.orphaned(); // never rejects (its errors are logged) and ends in exit()
  else exit(EXIT.ORPHANED);
});

process.on('unhandledRejection', (reason) => {
  // Baileys leaves the odd stray rejection (keep-alive queries on a closing socket); log, do not die.
  logger.error({ err: reason }, 'unhandled rejection');
});
// Node 22.10+ with NODE_COMPILE_CACHE (HOST_COMPILE_CACHE): write the cache now, so a host killed
// later still leaves it for the next boot; a warm cache writes nothing. Node 20 has no such call.
(nodeModule as { flushCompileCache?: () => void }).flushCompileCache?.();

if (role.kind === 'spare') {
  const { user, system } = process.cpuUsage();
  channel.send({ type: 'spare-ready', pid: process.pid, bootCpuMs: Math.round((user + system) / 1000) });
}

process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception; the supervisor will restart this host');
  exit(1);
});
