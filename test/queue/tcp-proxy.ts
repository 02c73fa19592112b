import { FaultProxy } from '../support/fault-proxy';

/**
 * A TCP proxy in front of a real service, to take it "down" and bring it back without touching
 * the shared server: `stop()` refuses new connections and cuts the open ones, `start()` accepts
 * again on the same port. A thin name over the fault suite's FaultProxy.
 */
export class TcpProxy extends FaultProxy {
  constructor(port: number, target: { host: string; port: number }) {
    super(target.host, target.port);
    this.port = port;
  }

  async stop(): Promise<void> {
    await this.refuse();
  }
}
