import { FaultProxy } from '../support/fault-proxy';

/**
 * A TCP relay in front of a real database: `stop()` is the database going away for every
 * client behind it (refused connections, open sockets cut), `start()` brings it back on the
 * same port. A thin name over the fault suite's FaultProxy.
 */
export class TcpRelay extends FaultProxy {
  /** `url` with its host and port pointed at this relay. */
  static override async in(
    front: string,
  ): Promise<{ proxy: FaultProxy; relay: TcpRelay; url: string }> {
    const target = new URL(front);
    const defaultPort = target.protocol.startsWith('mongodb') ? 27017 : 5432;
    const relay = new TcpRelay(target.hostname, Number(target.port || defaultPort));
    await relay.start();
    return { proxy: relay, relay, url: relay.urlFor(front) };
  }

  async stop(): Promise<void> {
    await this.refuse();
  }
}
