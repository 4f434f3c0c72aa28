/**
 * Entry of the supervisor process: `node dist/supervisor/main.js` (`npm start`).
 *
 * Exit codes: 0 after a clean SIGTERM/SIGINT shutdown · 1 start-up or runtime failure ·
 * 2 bad configuration (one line on stderr naming the variable; secrets never shown) ·
 * 128+n when a second signal n cuts the graceful shutdown short.
 */
import { constants } from 'node:os';
import { loadConfig, type Config } from '../src/config/index.js';
import { ConfigError, errorCode, errorMessage } from '../src/errors.js';
import { createLogger, prettyLogs } from '../src/logger.js';
import { startSupervisor, type Supervisor } from './app.js';

process.title = 'wa-supervisor';

function loadOrExit(): Config | undefined {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Exactly one line, before any logger exists: an operator reads it in `docker logs` or a
    // terminal. The message is built with secrets redacted (src/config/load.ts).
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
}

const config = loadOrExit();
if (config !== undefined) await run(config);

async function run(cfg: Config): Promise<void> {
  const logger = createLogger({ level: cfg.logLevel, pretty: prettyLogs(cfg.logFormat, cfg.logPretty), name: 'wa-supervisor' });

  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });

  // Signals are handled from the first moment, so one arriving during start-up waits for the
  // start to finish and then shuts down cleanly instead of killing a half-started supervisor.
  let supervisor: Promise<Supervisor | undefined> | undefined;
  // Set once started, so the second-signal path can SIGKILL the hosts synchronously.
  let running: Supervisor | undefined;
  let stopping = false;
  // Hosts get IPC stop, then SIGTERM, then SIGKILL, each after HOST_STOP_TIMEOUT_MS; in backend
  // mode (or with WEBHOOK_URL) pending events get a delivery window first, at most min(5 s, BACKEND_TIMEOUT).
  const eventFlushMs = cfg.backendUrl === undefined && cfg.webhookUrl === undefined ? 0 : Math.min(5_000, cfg.backendTimeout);
  const shutdownDeadlineMs = cfg.hostStopTimeoutMs * 2 + 5_000 + eventFlushMs;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: killing every session host and exiting at once');
      running?.kill();
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    stopping = true;
    logger.info({ signal }, 'signal received: shutting down');
    setTimeout(() => {
      logger.error({ shutdownDeadlineMs }, 'graceful shutdown took too long: exiting');
      running?.kill();
      process.exit(1);
    }, shutdownDeadlineMs).unref();
    // A signal handler cannot wait; both outcomes of the close end the process.
    void (supervisor ?? Promise.resolve(undefined))
      .then((s) => s?.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  supervisor = startSupervisor(cfg, logger).then((s) => (running = s)).catch((err: unknown) => {
    logger.fatal({ err, code: errorCode(err) }, 'supervisor failed to start');
    process.stderr.write(`start-up failed: ${errorCode(err)}: ${errorMessage(err)}\n`);
    process.exit(1);
  });
  await supervisor;
}
