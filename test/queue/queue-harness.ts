import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretBox } from '../../src/common/crypto';
import { EgressPolicy } from '../../src/common/egress';
import type { JsonValue } from '../../src/modules/queue/core/job-envelope';
import type {
  Delivery,
  Disposition,
  JobTransport,
} from '../../src/modules/queue/core/job-transport';
import { PermanentJobError, RetryableJobError } from '../../src/modules/queue/core/errors';
import type { JobsRepository } from '../../src/modules/queue/jobs/jobs.repository';
import { PayloadCodec } from '../../src/modules/queue/jobs/payload-codec';
import type { QueueSettings } from '../../src/modules/queue/queue.config';
import { DepthSampler } from '../../src/modules/queue/runtime/depth-sampler';
import { JobHandlerRegistry } from '../../src/modules/queue/runtime/job-handler.registry';
import { JobQueue } from '../../src/modules/queue/runtime/job-queue.service';
import { JobRecovery } from '../../src/modules/queue/runtime/job-recovery';
import { JobRunner } from '../../src/modules/queue/runtime/job-runner';
import { WebhookDelivery } from '../../src/modules/queue/webhooks/webhook-delivery.service';
import { WebhookSecrets } from '../../src/modules/queue/webhooks/webhook-secrets.service';
import { deferred, type Deferred } from './eventually';

/** Job types of the contract suite. */
export const TEST_TYPES = ['echo', 'flaky', 'doomed', 'fatal', 'slow', 'notify'] as const;
export const MAX_ATTEMPTS = 3;

/** How one transport is made, crashed and cleaned up, for the shared contract suite. */
export interface TransportKit {
  /** A new transport: on the scenario's shared broker, or over a new broker connection. */
  create(scenario: string, retryBaseMs: number): JobTransport;
  /** Dies like a killed process: unacked messages go back, nothing more reaches the broker. */
  crash(transport: JobTransport): Promise<void>;
  /** Removes the scenario's queues and exchange (or broker). */
  cleanup(scenario: string): Promise<void>;
}

/** Shared state the test handlers report to. */
export class World {
  /** Job id -> names of the instances that performed its side effect. */
  readonly effects = new Map<string, string[]>();
  readonly gates = new Map<string, Deferred>();
  readonly entered = new Map<string, Deferred<string>>();
  /** While true, `doomed` jobs fail; flip it to let a requeued one succeed. */
  doomed = true;

  effect(jobId: string, by: string): void {
    this.effects.set(jobId, [...(this.effects.get(jobId) ?? []), by]);
  }

  enteredBy(name: string): Deferred<string> {
    let d = this.entered.get(name);
    if (!d) {
      d = deferred<string>();
      this.entered.set(name, d);
    }
    return d;
  }
}

/** JobRunner that also records every disposition it returned. */
export class ObservedRunner extends JobRunner {
  readonly seen: Array<{ delivery: Delivery; disposition: Disposition }> = [];

  override async handle(d: Delivery, s: AbortSignal): Promise<Disposition> {
    const disposition = await super.handle(d, s);
    this.seen.push({ delivery: d, disposition });
    return disposition;
  }

  of(jobId: string): Array<{ delivery: Delivery; disposition: Disposition }> {
    return this.seen.filter((x) => x.delivery.envelope.id === jobId);
  }
}

/** Recovery is tested on its own; the contract scenarios start several instances at will. */
class NoRecovery extends JobRecovery {
  override start(): void {}
}

export interface Instance {
  name: string;
  queue: JobQueue;
  transport: JobTransport;
  runner: ObservedRunner;
  stop(graceMs?: number): Promise<void>;
}

const raceAbort = (p: Promise<void>, signal: AbortSignal): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    p.then(resolve, reject);
  });

export function registerTestHandlers(
  registry: JobHandlerRegistry,
  name: string,
  world: World,
  webhooks: WebhookDelivery,
): void {
  const parse = (p: JsonValue) => p;
  registry.register(
    'echo',
    {
      run: async ({ job, payload }) => {
        world.effect(job.id, name);
        return { status: 'completed', result: { echo: payload, by: name } };
      },
    },
    { parse },
  );
  registry.register(
    'flaky',
    {
      run: async ({ job, payload }) => {
        const failures = (payload as { failures: number }).failures;
        if (job.attempts <= failures) {
          throw new RetryableJobError(`planned failure ${job.attempts}`, 'PLANNED');
        }
        world.effect(job.id, name);
        return { status: 'completed', result: { attempts: job.attempts } };
      },
    },
    { parse },
  );
  registry.register(
    'doomed',
    {
      run: async ({ job }) => {
        if (world.doomed) throw new RetryableJobError('always fails', 'PLANNED');
        world.effect(job.id, name);
      },
    },
    { parse },
  );
  registry.register(
    'fatal',
    {
      run: async () => {
        throw new PermanentJobError('can never work', 'PLANNED_PERMANENT');
      },
    },
    { parse },
  );
  registry.register(
    'slow',
    {
      run: async ({ job, signal }) => {
        world.enteredBy(name).resolve(job.id);
        const gate = world.gates.get(name);
        if (gate) await raceAbort(gate.promise, signal);
        world.effect(job.id, name);
        return { status: 'completed', result: { by: name } };
      },
    },
    { parse, concurrency: 1 },
  );
  registry.register(
    'notify',
    {
      run: async ({ job, payload, signal }) => {
        const p = payload as { url: string };
        await webhooks.deliver(
          job.org_id,
          { url: p.url, headers: { authorization: 'Bearer receiver-token' } },
          { job_id: job.id, hello: 'world' },
          { jobId: job.id, attempt: job.attempts },
          signal,
        );
        world.effect(job.id, name);
      },
    },
    { parse },
  );
}

export interface ScenarioOptions {
  store: JobsRepository;
  kit: TransportKit;
  scenario: string;
  /** Egress policy for `notify` webhooks. */
  allowPrivate?: boolean;
}

/**
 * One test's world: instances (each a transport + registry + runner + JobQueue, wired as
 * QueueModule wires them) sharing one broker namespace and one job store.
 */
export class Scenario {
  readonly world = new World();
  readonly instances: Instance[] = [];
  readonly box = new SecretBox(randomBytes(32));
  readonly secrets: WebhookSecrets;
  readonly cfg: QueueSettings;

  constructor(private readonly opts: ScenarioOptions) {
    this.cfg = {
      prefix: opts.scenario,
      maxAttempts: MAX_ATTEMPTS,
      retryBaseMs: 5,
      concurrency: 2,
      publishTimeoutMs: 3000,
      shutdownGraceMs: 3000,
      leaseMs: 60_000,
    };
    this.secrets = new WebhookSecrets(
      { encryptionKey: randomBytes(32), encryptionKeyPrevious: [] } as never,
      { dataDir: '/nonexistent' } as never,
      { embeddedPostgres: true } as never,
    );
  }

  get store(): JobsRepository {
    return this.opts.store;
  }

  async instance(name: string): Promise<Instance> {
    const transport = this.opts.kit.create(this.opts.scenario, this.cfg.retryBaseMs);
    const registry = new JobHandlerRegistry(this.cfg);
    const policy = new EgressPolicy({
      allowPrivate: this.opts.allowPrivate ?? true,
      allowlist: [],
    });
    registerTestHandlers(registry, name, this.world, new WebhookDelivery(policy, this.secrets));
    const codec = new PayloadCodec(this.box);
    const runner = new ObservedRunner(registry, this.store, codec, this.cfg);
    const queue = new JobQueue(
      transport,
      registry,
      this.store,
      codec,
      runner,
      new NoRecovery(transport, this.store),
      new DepthSampler(transport),
      this.cfg,
    );
    let stopped = false;
    const inst: Instance = {
      name,
      queue,
      transport,
      runner,
      stop: async (graceMs = 3000) => {
        if (stopped) return;
        stopped = true;
        await transport.stop(graceMs);
      },
    };
    // Registered before it starts, so close() stops it even if starting fails.
    this.instances.push(inst);
    await queue.onApplicationBootstrap();
    return inst;
  }

  async crash(inst: Instance): Promise<void> {
    await this.opts.kit.crash(inst.transport);
  }

  async close(): Promise<void> {
    for (const g of this.world.gates.values()) g.resolve();
    for (const inst of this.instances) await inst.stop(0);
    await this.opts.kit.cleanup(this.opts.scenario);
  }
}

export interface Receiver {
  url: string;
  requests: Array<{ headers: http.IncomingHttpHeaders; body: string }>;
  /** Status codes to answer with, in order; 200 once they run out. */
  script: number[];
  /** While set, answers wait for it (the request is recorded at once). */
  hold?: Promise<void>;
  close(): Promise<void>;
}

/** A local webhook receiver that records what it gets. */
export async function startReceiver(): Promise<Receiver> {
  const r: Omit<Receiver, 'url' | 'close'> = { requests: [], script: [] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      r.requests.push({ headers: req.headers, body });
      const status = r.script.shift() ?? 200;
      void (r.hold ?? Promise.resolve()).then(() => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hook`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((res) => server.close(res));
    },
  });
}
