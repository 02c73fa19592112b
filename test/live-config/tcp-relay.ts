import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of a real database: `stop()` is the database going away for every
 * client behind it (refused connections, open sockets cut), `start()` brings it back on the
 * same port.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** `url` with its host and port pointed at this relay. */
  static async in(front: string): Promise<{ relay: TcpRelay; url: string }> {
    const target = new URL(front);
    const defaultPort = target.protocol.startsWith('mongodb') ? 27017 : 5432;
    const relay = new TcpRelay(target.hostname, Number(target.port || defaultPort));
    await relay.start();
    const via = new URL(front);
    via.hostname = '127.0.0.1';
    via.port = String(relay.port);
    return { relay, url: via.toString() };
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
