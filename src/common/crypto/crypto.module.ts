import { Logger, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig, authConfig, storesConfig } from '../../config';
import { KEY_FILE_NAME, readKeyFile, readOrCreateKeyFile } from './key-file';
import { SecretBox } from './secret-box';

/**
 * Builds the key ring from config. ENCRYPTION_KEY is the current key and ENCRYPTION_KEY_PREVIOUS
 * the older ones still accepted for decryption. In embedded mode with no key, one is generated
 * once into DATA_DIR so `npm start` works with nothing configured. A key file left in DATA_DIR
 * stays readable after ENCRYPTION_KEY is set, so moving to a configured key loses nothing.
 */
export function createSecretBox(
  auth: Pick<ConfigType<typeof authConfig>, 'encryptionKey' | 'encryptionKeyPrevious'>,
  stores: Pick<ConfigType<typeof storesConfig>, 'documentStore' | 'embeddedPostgres'>,
  app: Pick<ConfigType<typeof appConfig>, 'dataDir'>,
  logger: Pick<Logger, 'warn'> = new Logger('Encryption'),
): SecretBox {
  const previous = [...auth.encryptionKeyPrevious];
  const embedded = stores.documentStore === 'postgres' && stores.embeddedPostgres;
  if (auth.encryptionKey) {
    const fileKey = readKeyFile(app.dataDir);
    if (fileKey) previous.push(fileKey);
    return new SecretBox(auth.encryptionKey, previous);
  }
  if (embedded) {
    const { key, created } = readOrCreateKeyFile(app.dataDir);
    if (created) {
      logger.warn(
        `ENCRYPTION_KEY is not set: generated one in DATA_DIR/${KEY_FILE_NAME}. ` +
          'Back it up (stored secrets cannot be read without it) and set ENCRYPTION_KEY in production.',
      );
    }
    return new SecretBox(key, previous);
  }
  logger.warn(
    'ENCRYPTION_KEY is not set: provider keys and tool headers cannot be stored until it is.',
  );
  return new SecretBox(undefined, previous);
}

/** Provides the process-wide `SecretBox` (AES-256-GCM key ring). */
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [authConfig.KEY, storesConfig.KEY, appConfig.KEY],
      useFactory: (
        auth: ConfigType<typeof authConfig>,
        stores: ConfigType<typeof storesConfig>,
        app: ConfigType<typeof appConfig>,
      ) => createSecretBox(auth, stores, app),
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
