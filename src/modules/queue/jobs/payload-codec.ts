import { Injectable } from '@nestjs/common';
import { DecryptionError, SecretBox } from '../../../common/crypto';
import { PermanentJobError } from '../core/errors';
import type { JsonValue } from '../core/job-envelope';

const context = (orgId: string, jobId: string) => `queue-job:${orgId}:${jobId}`;

/**
 * Seals job payloads (the request, the principal, webhook headers) with the gateway's key ring,
 * bound to the org and job id, before they go to the broker or the job store. Without an
 * encryption key they travel as plain JSON; callers that carry secrets check `canSeal` first.
 */
@Injectable()
export class PayloadCodec {
  constructor(private readonly box: SecretBox) {}

  get canSeal(): boolean {
    return this.box.canEncrypt;
  }

  seal(orgId: string, jobId: string, payload: JsonValue): JsonValue {
    if (!this.box.canEncrypt) return { plain: payload };
    return { sealed: this.box.encrypt(JSON.stringify(payload), context(orgId, jobId)) };
  }

  /** Throws PermanentJobError when the payload cannot be opened: no run could ever succeed. */
  open(orgId: string, jobId: string, stored: JsonValue): JsonValue {
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
      throw new PermanentJobError('job payload has an unknown format', 'BAD_PAYLOAD');
    }
    if ('plain' in stored) return stored.plain;
    const sealed = stored.sealed;
    if (typeof sealed !== 'string') {
      throw new PermanentJobError('job payload has an unknown format', 'BAD_PAYLOAD');
    }
    try {
      return JSON.parse(this.box.decrypt(sealed, context(orgId, jobId))) as JsonValue;
    } catch (e) {
      if (e instanceof DecryptionError) {
        throw new PermanentJobError(
          'job payload cannot be decrypted (was ENCRYPTION_KEY changed without ENCRYPTION_KEY_PREVIOUS?)',
          'BAD_PAYLOAD',
        );
      }
      throw e;
    }
  }
}
