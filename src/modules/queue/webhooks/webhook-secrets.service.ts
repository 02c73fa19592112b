import { hkdfSync } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { readOrCreateKeyFile } from '../../../common/crypto/key-file';
import { appConfig, authConfig, storesConfig } from '../../../config';

const PREFIX = 'whsec_';

/**
 * Per-org webhook signing secrets, derived rather than stored: HKDF-SHA256 of the deployment's
 * master key with the org id as context. Every instance derives the same secret, nothing needs
 * a migration, and one org's secret says nothing about another's.
 *
 * The master key is ENCRYPTION_KEY; without it, the key generated in DATA_DIR (the embedded
 * default). Consequences, documented in the README: changing ENCRYPTION_KEY changes every
 * org's webhook secret, and instances without ENCRYPTION_KEY and without a shared DATA_DIR
 * would each sign with their own secret — so multi-instance deployments must set it.
 */
@Injectable()
export class WebhookSecrets {
  private readonly master: Buffer;

  constructor(
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
    @Inject(storesConfig.KEY) stores: ConfigType<typeof storesConfig>,
  ) {
    if (auth.encryptionKey) {
      this.master = auth.encryptionKey;
      return;
    }
    this.master = readOrCreateKeyFile(app.dataDir).key;
    if (!stores.embeddedPostgres || stores.rabbitmqUrl) {
      new Logger('WebhookSecrets').warn(
        'ENCRYPTION_KEY is not set: webhook signing secrets derive from a key in DATA_DIR, ' +
          'which other instances do not share. Set ENCRYPTION_KEY when running more than one.',
      );
    }
  }

  /** The org's signing secret, as given to the org's admins and used as the HMAC key. */
  forOrg(orgId: string): string {
    const key = hkdfSync(
      'sha256',
      this.master,
      Buffer.alloc(0),
      `aimw-webhook-signing:v1:${orgId}`,
      32,
    );
    return PREFIX + Buffer.from(key).toString('hex');
  }
}
