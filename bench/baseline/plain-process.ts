/**
 * The baseline: N Baileys sockets in ONE plain Node process, the way Evolution API and WAHA host
 * sessions. Forked by the benchmark with the simulator's trust preload; argv is one auth folder
 * per session (Baileys' own `useMultiFileAuthState` layout, which our auth folders share). Socket
 * options match the session host's (session-host/connection.ts) so only the process model differs.
 *
 * IPC out: `{type:'imported', ms}` once Baileys is loaded, `{type:'open', sessionId, at}` per socket,
 * `{type:'closed', sessionId, code}` when one closes before `open`. Reconnects on 515 (restart
 * required) as every Baileys host does; anything else is reported and left closed.
 */
import { basename } from 'node:path';

const started = performance.now();
const { default: makeWASocket, useMultiFileAuthState } = await import('@whiskeysockets/baileys');
const { pino } = await import('pino');
const send = (msg: unknown): void => {
  process.send?.(msg);
};
send({ type: 'imported', ms: performance.now() - started });

const logger = pino({ level: 'silent' });
const url = process.env.WA_WEBSOCKET_URL;
// Keep the process alive for PSS sampling until the parent disconnects or kills it.
process.on('disconnect', () => process.exit(0));

async function connect(folder: string): Promise<void> {
  const sessionId = basename(folder);
  const { state, saveCreds } = await useMultiFileAuthState(folder);
  const sock = makeWASocket({
    auth: state,
    logger,
    ...(url ? { waWebSocketUrl: url } : {}),
    printQRInTerminal: false,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    generateHighQualityLinkPreview: false,
    fireInitQueries: false,
  });
  sock.ev.on('creds.update', () => {
    // A lost save makes the baseline's figures meaningless: fail the run loudly.
    saveCreds().catch((err: unknown) => {
      process.stderr.write(`could not save creds: ${String(err)}\n`);
      process.exit(1);
    });
  });
  sock.ev.on('connection.update', (u) => {
    if (u.connection === 'open') send({ type: 'open', sessionId, at: Date.now() });
    if (u.connection === 'close') {
      const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode ?? null;
      send({ type: 'closed', sessionId, code });
      if (code === 515) void connect(folder);
    }
  });
}

await Promise.all(process.argv.slice(2).map((folder) => connect(folder)));
