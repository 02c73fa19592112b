import { createServer, connect, type Server, type Socket } from 'node:net';

/** How the proxy treats traffic right now. */
export type FaultMode = 'pass' | 'refuse' | 'blackhole';

interface Pair {
  client: Socket;
  upstream?: Socket;
  /** Bytes that arrived while the link was blackholed, per direction, to flow on restore. */
  held: { up: Buffer[]; down: Buffer[] };
}

/**
 * A TCP proxy in front of one real service, to inject faults between a client (the gateway)
 * and the service without touching the shared server:
 *
 * - `cut()`: every open connection is destroyed (the service crashed); new ones are accepted.
 * - `refuse()`: open connections are cut and the port stops listening (connection refused).
 * - `blackhole()`: a network partition. Open connections stay up but nothing crosses them in
 *   either direction; new connections are accepted and then stay silent. The bytes are held
 *   (as TCP would keep retransmitting them) and flow once the link is restored.
 * - `restore()`: back to normal on the same port; held bytes and held connections go through.
 */
export class FaultProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private mode: FaultMode = 'pass';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /**
   * A started proxy in front of the service named by `serviceUrl`, and that URL pointed at the
   * proxy (host, port, credentials, database and query kept).
   */
  static async in(serviceUrl: string): Promise<{ proxy: FaultProxy; url: string }> {
    const target = new URL(serviceUrl);
    const proxy = new FaultProxy(
      target.hostname,
      Number(target.port || DEFAULT_PORTS[target.protocol] || 0),
    );
    await proxy.start();
    return { proxy, url: proxy.urlFor(serviceUrl) };
  }

  /** `serviceUrl` with its host and port replaced by this proxy's. */
  urlFor(serviceUrl: string): string {
    const via = new URL(serviceUrl);
    via.hostname = '127.0.0.1';
    via.port = String(this.port);
    return via.toString();
  }

  get state(): FaultMode {
    return this.mode;
  }

  /** Open client connections (for assertions that a client reconnected). */
  get connections(): number {
    return this.pairs.size;
  }

  async start(port = this.port): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
    this.mode = 'pass';
  }

  /** Destroys every open connection; new ones are still accepted. */
  cut(): void {
    for (const p of [...this.pairs]) this.destroy(p);
  }

  /** Cuts everything and stops listening: connecting fails with ECONNREFUSED. */
  async refuse(): Promise<void> {
    this.mode = 'refuse';
    const server = this.server;
    this.server = undefined;
    this.cut();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Partition: everything stays connected and silent until `restore()`. */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  /** Back to normal: listening again (same port), held bytes and connections flow. */
  async restore(): Promise<void> {
    if (this.mode === 'refuse') await this.start(this.port);
    this.mode = 'pass';
    for (const p of [...this.pairs]) {
      if (!p.upstream) this.connectUpstream(p);
      else this.flush(p);
    }
  }

  /** Stops the proxy for good. */
  async close(): Promise<void> {
    await this.refuse();
  }

  private accept(client: Socket): void {
    const pair: Pair = { client, held: { up: [], down: [] } };
    this.pairs.add(pair);
    client.setNoDelay(true);
    client.on('error', () => this.destroy(pair));
    client.on('close', () => this.destroy(pair));
    client.on('data', (chunk: Buffer) => this.forward(pair, 'up', chunk));
    if (this.mode === 'pass') this.connectUpstream(pair);
  }

  private connectUpstream(pair: Pair): void {
    const upstream = connect(this.targetPort, this.targetHost);
    upstream.setNoDelay(true);
    pair.upstream = upstream;
    upstream.on('error', () => this.destroy(pair));
    upstream.on('close', () => this.destroy(pair));
    upstream.on('data', (chunk: Buffer) => this.forward(pair, 'down', chunk));
    upstream.on('connect', () => this.flush(pair));
  }

  private forward(pair: Pair, dir: 'up' | 'down', chunk: Buffer): void {
    const to = dir === 'up' ? pair.upstream : pair.client;
    if (this.mode !== 'pass' || !to || to.connecting || pair.held[dir].length > 0) {
      pair.held[dir].push(chunk);
      return;
    }
    to.write(chunk);
  }

  private flush(pair: Pair): void {
    if (this.mode !== 'pass' || !pair.upstream || pair.upstream.connecting) return;
    for (const [dir, to] of [
      ['up', pair.upstream],
      ['down', pair.client],
    ] as const) {
      const held = pair.held[dir].splice(0);
      for (const chunk of held) to.write(chunk);
    }
  }

  private destroy(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}

const DEFAULT_PORTS: Record<string, number> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'mongodb:': 27017,
  'redis:': 6379,
  'amqp:': 5672,
};
