import type { Config } from '../config/index.js';
import type { StorageSettings } from '../ipc/protocol.js';

/** The storage part of the config, in the shape the IPC `init` carries to a session host. */
export function storageSettingsFromConfig(config: Config): StorageSettings {
  if (config.storageDriver === 'local') return { driver: 'local', dataDir: config.dataDir };
  return {
    driver: 'minio',
    endPoint: config.minioEndpoint,
    port: config.minioPort,
    useSSL: config.minioUseSsl,
    accessKey: config.minioAccessKey,
    secretKey: config.minioSecretKey,
    bucket: config.minioBucket,
    region: config.minioRegion,
  };
}

/** Current key first (it encrypts), previous after (still decrypts during a rotation). */
export function encryptionKeysFromConfig(config: Config): Buffer[] {
  return [config.authEncryptionKey, config.authEncryptionKeyPrevious].filter((k): k is Buffer => k !== undefined);
}
