import { join } from 'node:path';
import type { HostInit } from '../src/ipc/protocol.js';
import type { Logger } from '../src/logger.js';
import { DEFAULT_HOST_MEDIA } from '../src/media/defaults.js';
import { sessionFileName } from '../src/session-id.js';
import { createSnapshotStore, keysFromBase64 } from '../src/storage/index.js';
import type { SnapshotStore } from '../src/storage/types.js';
import { AuthStore } from './auth/auth-state.js';
import { AuthFolder } from './auth/folder.js';
import { Connection, type ConnectionEvents } from './connection.js';
import type { IpcChannel } from './ipc-channel.js';
import { IncomingQueue, type Enrich } from './incoming-queue.js';
import { Inbox } from './inbox.js';
import { attachMessaging } from './messaging.js';
import { DEFAULT_SEND_CONFIRM_TIMEOUT_MS, OutgoingSends } from './outgoing.js';
import { SentMessages } from './sent-messages.js';
import { restoreAuth, type RestoredAuth } from './restore.js';
import { SnapshotUploader } from './uploader.js';

/** Everything one running session is made of, wired together. */
export interface Runtime {
  store: SnapshotStore;
  folder: AuthFolder;
  auth: AuthStore;
  uploader: SnapshotUploader;
  connection: Connection;
  restored: RestoredAuth;
  /** Recent outgoing messages (durable): idempotent sends and Baileys' `getMessage`. */
  sent: SentMessages;
  outgoing: OutgoingSends;
  /** Incoming batches in order; media downloaded first (media/incoming.ts, loaded on first use). */
  incoming: IncomingQueue;
}

/**
 * Composition: storage from the `init` settings, the auth folder restored to the best state there
 * is, the write-through store, the uploader that follows its changes, and a (not yet started)
 * connection whose traffic goes straight to the IPC channel.
 */
export async function buildRuntime(init: HostInit, channel: IpcChannel, logger: Logger, baileysLogger: Logger, events: ConnectionEvents): Promise<Runtime> {
  const restoreStarted = Date.now();
  const store = createSnapshotStore(init.storage, {
    workerId: init.workerId,
    encryptionKeys: keysFromBase64(init.encryptionKeys),
    timeoutMs: init.storageTimeoutMs,
    logger,
    onOperation: (op) => channel.send({ type: 'storage-op', ...op }),
  });
  const folder = new AuthFolder(join(init.dataDir, 'sessions', sessionFileName(init.sessionId)));
  const restored = await restoreAuth(init.sessionId, folder, store, logger, join(init.dataDir, 'stale'));
  if (restored.restoredFrom === 'remote' || restored.restoredFrom === 'legacy') {
    const bytes = [...restored.files.values()].reduce((n, b) => n + b.length, 0);
    channel.send({ type: 'snapshot', generation: restored.generation, bytes, durationMs: Date.now() - restoreStarted, trigger: 'restore' });
  }
  const auth = new AuthStore(folder, restored.files, { current: restored.generation, uploaded: restored.uploaded }, logger);
  // Loaded only by a host whose session has a proxy (issue 19 §2): the others never carry the agents.
  const proxy = init.proxy === undefined ? undefined : (await import('./proxy/agents.js')).proxyAgents(init.proxy);
  if (proxy) logger.info({ proxy: proxy.shown }, 'WhatsApp traffic of this session goes through its proxy');
  const sent = new SentMessages(init.dataDir, init.sessionId);
  let media: Promise<Enrich> | undefined;
  const enrich = (): Promise<Enrich> =>
    (media ??= import('./media/incoming.js').then(({ IncomingMedia }) => {
      const downloader = new IncomingMedia({
        sessionId: init.sessionId,
        settings: init.media ?? DEFAULT_HOST_MEDIA,
        storage: init.storage,
        storageTimeoutMs: init.storageTimeoutMs,
        logger,
        socket: () => connection.socket,
        ...(proxy ? { agent: proxy.media } : {}),
      });
      return (messages, raw, sock) => downloader.enrich(messages, raw, sock);
    }));
  // What Baileys emits without the inbox hook (e.g. placeholder resends): reported, nothing waits.
  const incoming = new IncomingQueue((messages) => channel.send({ type: 'message-in', messages }), enrich);
  // Decrypted messages: the receipt waits until the supervisor's outbox has them (inbox.ts).
  const inbox = new Inbox({
    deliver: (messages, timeoutMs) => channel.deliver(messages, timeoutMs),
    enrich,
    me: () => auth.creds.me ?? undefined,
    logger,
    undelivered: (sock) => {
      // After Baileys' NACK has gone out: a new login makes WhatsApp deliver the message again.
      setTimeout(() => connection.drop(sock, 'an incoming message was not confirmed by the supervisor'), 250).unref();
    },
  });
  const connection = new Connection({
    auth,
    waWebsocketUrl: init.waWebsocketUrl,
    proxy,
    qrMaxAttempts: init.qrMaxAttempts,
    badSessionMaxAttempts: init.badSessionMaxAttempts,
    keepAliveIntervalMs: init.keepAliveIntervalMs,
    qrTimeoutMs: init.qrTimeoutMs,
    baileysLogger,
    logger,
    attach: (sock) =>
      attachMessaging(sock, {
        incoming: (messages, raw) => incoming.push(messages, raw),
        receipt: (receipt) => channel.send(receipt),
        alreadyDelivered: (id) => inbox.has(id),
      }, logger),
    onMessageDecrypted: (sock, msg, type) => inbox.accept(sock, msg, type),
    // A recipient that could not decrypt asks again; after a host restart Baileys' own cache is gone.
    getMessage: async (key) => sent.content(key.id),
    events,
  });
  const outgoing = new OutgoingSends({
    store: sent,
    socket: () => connection.socket,
    confirmTimeoutMs: init.sendConfirmTimeoutMs ?? DEFAULT_SEND_CONFIRM_TIMEOUT_MS,
    report: (receipt) => channel.send(receipt),
    logger,
  });
  const uploader = new SnapshotUploader({
    sessionId: init.sessionId,
    store,
    auth,
    logger,
    onSnapshot: (message) => channel.send(message),
    onFailure: (message) => channel.send(message),
  });
  auth.onChange(() => uploader.changed());
  return { store, folder, auth, uploader, connection, restored, sent, outgoing, incoming };
}
