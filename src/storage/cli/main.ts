#!/usr/bin/env node
/**
 * Bulk maintenance of stored auth: `npm run storage -- verify|import-legacy (--all | <id>...)`.
 * Codec work runs on a piscina pool; object I/O runs a few sessions at a time. Exit code 0 when
 * everything checked out, 1 when a session has a problem, 2 on usage or configuration errors.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { loadConfig, type Config } from '../../config/index.js';
import { errorCode, errorMessage } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { createSnapshotStore } from '../index.js';
import { encryptionKeysFromConfig, storageSettingsFromConfig } from '../settings.js';
import { parseArgs, UsageError, USAGE } from './args.js';
import { createPoolCodec } from './pool-codec.js';
import { importLine, verificationProblems, verifyLine } from './report.js';

async function workerIdOf(config: Config): Promise<string> {
  if (config.workerId) return config.workerId;
  try {
    return (await readFile(join(config.dataDir, 'worker-id'), 'utf8')).trim() || 'storage-cli';
  } catch {
    return 'storage-cli';
  }
}

async function main(argv: string[]): Promise<number> {
  let args;
  let config;
  try {
    args = parseArgs(argv);
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof UsageError ? `${err.message}\n\n${USAGE}` : errorMessage(err));
    return 2;
  }
  const codec = createPoolCodec();
  const store = createSnapshotStore(storageSettingsFromConfig(config), {
    workerId: await workerIdOf(config),
    encryptionKeys: encryptionKeysFromConfig(config),
    timeoutMs: config.storageTimeout,
    logger: createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, pretty: false, name: 'storage-cli' }),
    codec,
  });
  let problems = 0;
  try {
    const ids = args.all ? await store.listSessions() : args.sessionIds;
    console.log(`${args.command}: ${ids.length} session(s) in ${store.location}`);
    const queue = new PQueue({ concurrency: args.concurrency });
    let done = 0;
    await Promise.all(
      ids.map((id) =>
        queue.add(async () => {
          try {
            if (args.command === 'verify') {
              const v = await store.verifySession(id);
              problems += verificationProblems(v);
              console.log(verifyLine(++done, ids.length, v));
            } else {
              console.log(importLine(++done, ids.length, id, await store.importLegacy(id)));
            }
          } catch (err) {
            problems++;
            console.log(`[${++done}/${ids.length}] ${id}: FAILED ${errorCode(err)}: ${errorMessage(err)}`);
          }
        }),
      ),
    );
    console.log(problems === 0 ? `${args.command}: done, no problems` : `${args.command}: done, ${problems} problem(s)`);
  } catch (err) {
    console.error(`${args.command} failed: ${errorCode(err)}: ${errorMessage(err)}`);
    problems++;
  } finally {
    await store.close();
    await codec.close();
  }
  return problems === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
