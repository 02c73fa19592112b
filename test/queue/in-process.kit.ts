import { InProcessBroker } from '../../src/modules/queue/transports/in-process/in-process-broker';
import { InProcessTransport } from '../../src/modules/queue/transports/in-process/in-process.transport';
import type { JobTransport } from '../../src/modules/queue/core/job-transport';
import type { TransportKit } from './queue-harness';

/** The in-process twin: one broker per scenario, shared by its instances. */
export function inProcessKit(): TransportKit {
  const brokers = new Map<string, InProcessBroker>();
  return {
    create: (scenario, retryBaseMs) => {
      let broker = brokers.get(scenario);
      if (!broker) {
        broker = new InProcessBroker({ maxBuffered: 1000, maxDeadPerType: 100 });
        brokers.set(scenario, broker);
      }
      return new InProcessTransport(broker, { retryBaseMs, ownsBroker: false });
    },
    crash: async (t: JobTransport) => {
      (t as InProcessTransport).simulateCrash();
    },
    cleanup: async (scenario) => {
      brokers.get(scenario)?.close();
      brokers.delete(scenario);
    },
  };
}
