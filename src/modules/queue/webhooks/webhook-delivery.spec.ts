import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressPolicy } from '../../../common/egress';
import { PermanentJobError, RetryableJobError } from '../core/errors';
import { WebhookDelivery } from './webhook-delivery.service';
import type { WebhookSecrets } from './webhook-secrets.service';

/** Webhook delivery's use of the egress policy: refusals, ports, and no redirects. */
describe('WebhookDelivery through the egress policy', () => {
  const secrets = { forOrg: () => 'whsec_test' } as unknown as WebhookSecrets;
  const seen: Array<{ server: 'receiver' | 'elsewhere'; auth?: string; body: string }> = [];
  let receiver: http.Server;
  let elsewhere: http.Server;
  let receiverPort: number;
  let elsewherePort: number;

  const listen = (name: 'receiver' | 'elsewhere') => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ server: name, auth: req.headers.authorization, body });
        if (name === 'receiver' && req.url === '/moved') {
          res.writeHead(307, { location: `http://127.0.0.1:${elsewherePort}/hook` });
          res.end();
        } else {
          res.end('ok');
        }
      });
    });
    return new Promise<http.Server>((r) => server.listen(0, '127.0.0.1', () => r(server)));
  };

  beforeAll(async () => {
    receiver = await listen('receiver');
    elsewhere = await listen('elsewhere');
    receiverPort = (receiver.address() as AddressInfo).port;
    elsewherePort = (elsewhere.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of [receiver, elsewhere]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  beforeEach(() => (seen.length = 0));

  const deliver = (policy: EgressPolicy, path: string) =>
    new WebhookDelivery(policy, secrets).deliver(
      'org-1',
      {
        url: `http://127.0.0.1:${receiverPort}${path}`,
        headers: { authorization: 'Bearer hook-secret' },
      },
      { ok: true },
      { jobId: 'job_1', attempt: 1 },
    );

  it('refuses a private receiver for good (a permanent failure), without connecting', async () => {
    const strict = new EgressPolicy({ allowPrivate: false, allowlist: [] });
    await expect(deliver(strict, '/hook')).rejects.toBeInstanceOf(PermanentJobError);
    expect(seen).toEqual([]);
  });

  it('honours an allowlist entry with a port, and only that port', async () => {
    const right = new EgressPolicy({
      allowPrivate: false,
      allowlist: [`127.0.0.1:${receiverPort}`],
    });
    await expect(deliver(right, '/hook')).resolves.toBeUndefined();
    expect(seen).toHaveLength(1);
    const wrong = new EgressPolicy({
      allowPrivate: false,
      allowlist: [`127.0.0.1:${receiverPort + 1}`],
    });
    await expect(deliver(wrong, '/hook')).rejects.toBeInstanceOf(PermanentJobError);
    expect(seen).toHaveLength(1);
  });

  it('does not follow a redirect: the signed body and the headers never reach another origin', async () => {
    const open = new EgressPolicy({ allowPrivate: true, allowlist: [] });
    await expect(deliver(open, '/moved')).rejects.toBeInstanceOf(RetryableJobError);
    expect(seen.map((s) => s.server)).toEqual(['receiver']);
  });
});
