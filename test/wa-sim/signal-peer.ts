/**
 * A simulated phone (device 0 of an account) as a Signal party: Baileys' own libsignal repository
 * over an in-memory key store. It serves its prekey bundle, decrypts what a linked Baileys client
 * encrypts to it, and encrypts texts to that client.
 */
import {
  DEFAULT_CONNECTION_CONFIG,
  Curve,
  generateSignalPubKey,
  signedKeyPair,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStoreWithTransaction,
  type SignalRepositoryWithLIDStore,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import type { KeyPair } from './certs.js';
import './quiet-libsignal.js';

const silent = pino({ level: 'silent' });

function memoryKeyStore(): SignalKeyStoreWithTransaction {
  const data = new Map<string, unknown>();
  // one phone's operations are serialized here, which is all a transaction has to give us
  let chain: Promise<unknown> = Promise.resolve();
  let depth = 0;
  return {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const v = data.get(`${type}:${id}`);
        if (v !== undefined) out[id] = v as SignalDataTypeMap[T];
      }
      return out;
    },
    set(set: SignalDataSet) {
      for (const [type, entries] of Object.entries(set)) {
        for (const [id, v] of Object.entries(entries ?? {})) {
          if (v === null || v === undefined) data.delete(`${type}:${id}`);
          else data.set(`${type}:${id}`, v);
        }
      }
    },
    isInTransaction: () => depth > 0,
    transaction<T>(exec: () => Promise<T>): Promise<T> {
      if (depth > 0) return exec();
      const run = chain.then(async () => {
        depth++;
        try {
          return await exec();
        } finally {
          depth--;
        }
      });
      chain = run.catch(() => undefined);
      return run;
    },
  };
}

export interface PreKeyBundle {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  preKey: { keyId: number; publicKey: Buffer };
}

export class SignalPeer {
  readonly repo: SignalRepositoryWithLIDStore;
  private readonly keys = memoryKeyStore();
  private readonly registrationId = 1 + Math.floor(Math.random() * 16000);
  private readonly signedPreKey;
  private nextPreKeyId = 1;

  constructor(private readonly identity: KeyPair) {
    this.signedPreKey = signedKeyPair(identity, 1);
    const creds = {
      registrationId: this.registrationId,
      signedIdentityKey: identity,
      signedPreKey: this.signedPreKey,
    } as unknown as Parameters<typeof DEFAULT_CONNECTION_CONFIG.makeSignalRepository>[0]['creds'];
    this.repo = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds, keys: this.keys }, silent, async () => []);
  }

  /** A fresh bundle; the one-time prekey is stored so the first message to us can use it. */
  async bundle(): Promise<PreKeyBundle> {
    const keyId = this.nextPreKeyId++;
    const pair = Curve.generateKeyPair();
    await this.keys.set({ 'pre-key': { [String(keyId)]: pair } });
    return {
      registrationId: this.registrationId,
      identityKey: Buffer.from(this.identity.public),
      signedPreKey: {
        keyId: this.signedPreKey.keyId,
        publicKey: Buffer.from(this.signedPreKey.keyPair.public),
        signature: Buffer.from(this.signedPreKey.signature),
      },
      preKey: { keyId, publicKey: Buffer.from(pair.public) },
    };
  }

  async hasSession(jid: string): Promise<boolean> {
    return (await this.repo.validateSession(jid)).exists;
  }

  async startSession(jid: string, theirs: PreKeyBundle): Promise<void> {
    await this.repo.injectE2ESession({
      jid,
      session: {
        registrationId: theirs.registrationId,
        identityKey: generateSignalPubKey(theirs.identityKey),
        signedPreKey: { ...theirs.signedPreKey, publicKey: generateSignalPubKey(theirs.signedPreKey.publicKey) },
        preKey: { ...theirs.preKey, publicKey: generateSignalPubKey(theirs.preKey.publicKey) },
      },
    });
  }
}
