/**
 * Operator command: decommission this worker at the backend (the only place unregister is ever
 * sent; shutdown never does). Usage: `node dist/supervisor/backend/unregister-cli.js --yes`
 * with the worker's environment (.env), on the machine whose DATA_DIR holds its worker id.
 */
import { loadConfig } from '../../src/config/index.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import { createLogger, prettyLogs } from '../../src/logger.js';
import { resolveWorkerId } from '../../src/worker-id.js';
import { defaultEndpoint } from './identity.js';
import { BackendIntegration } from './integration.js';

async function main(): Promise<number> {
  if (!process.argv.includes('--yes')) {
    process.stderr.write('unregister detaches every session of this worker at the backend; run again with --yes to confirm\n');
    return 2;
  }
  const config = loadConfig();
  if (config.backendUrl === undefined) {
    process.stderr.write('BACKEND_URL is not set (standalone mode): nothing to unregister from\n');
    return 2;
  }
  const logger = createLogger({ level: config.logLevel, pretty: prettyLogs(config.logFormat, config.logPretty), name: 'wa-unregister' });
  const { workerId } = await resolveWorkerId(config.dataDir, config.workerId);
  const directory = { list: () => [], ensure: async () => undefined, release: async () => undefined, onEvent: () => () => undefined };
  const integration = new BackendIntegration({ config, logger, directory, workerId, endpoint: defaultEndpoint(config) });
  await integration.unregister();
  process.stdout.write(`worker ${workerId} unregistered\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`unregister failed: ${errorCode(err)}: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);
