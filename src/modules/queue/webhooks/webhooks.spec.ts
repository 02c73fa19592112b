import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signWebhook, verifyWebhook } from './webhook-signature';
import { WebhookSecrets } from './webhook-secrets.service';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"job_id":"job_1","status":"completed"}';
  const ts = 1_700_000_000;

  it('signs "<timestamp>.<body>" with HMAC-SHA256, hex', () => {
    // Reference computed with openssl: printf '%s' "1700000000.$body" | openssl dgst -sha256 -hmac whsec_test
    expect(signWebhook(secret, ts, body)).toBe(
      'sha256=62602a7d4419d8d5ecdbe4f91b0ee76cc5e67e70531679ba9c28b59a4182fe54',
    );
    expect(signWebhook(secret, ts, body)).not.toBe(signWebhook(secret, ts + 1, body));
  });

  it('verifies a good signature and refuses tampering, wrong secrets and stale timestamps', () => {
    const headers = { signature: signWebhook(secret, ts, body), timestamp: String(ts) };
    expect(verifyWebhook(secret, headers, body, { nowSeconds: ts + 10 })).toBe(true);
    expect(verifyWebhook(secret, headers, body + ' ', { nowSeconds: ts })).toBe(false);
    expect(verifyWebhook('whsec_other', headers, body, { nowSeconds: ts })).toBe(false);
    expect(verifyWebhook(secret, headers, body, { nowSeconds: ts + 301 })).toBe(false);
    expect(verifyWebhook(secret, { ...headers, timestamp: 'x' }, body, { nowSeconds: ts })).toBe(
      false,
    );
    expect(verifyWebhook(secret, { ...headers, signature: undefined }, body)).toBe(false);
  });
});

describe('WebhookSecrets', () => {
  const make = (key: Buffer | undefined, dataDir = '/nonexistent') =>
    new WebhookSecrets(
      { encryptionKey: key, encryptionKeyPrevious: [] } as never,
      { dataDir } as never,
      { embeddedPostgres: true, rabbitmqUrl: undefined } as never,
    );

  it('derives a stable secret per org from ENCRYPTION_KEY, different for every org and key', () => {
    const key = randomBytes(32);
    const a = make(key);
    expect(a.forOrg('org-1')).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(make(key).forOrg('org-1')).toBe(a.forOrg('org-1'));
    expect(a.forOrg('org-2')).not.toBe(a.forOrg('org-1'));
    expect(make(randomBytes(32)).forOrg('org-1')).not.toBe(a.forOrg('org-1'));
  });

  it('falls back to the key generated in DATA_DIR, the same one on every start', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aimw-whsec-'));
    try {
      expect(make(undefined, dir).forOrg('o')).toBe(make(undefined, dir).forOrg('o'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
