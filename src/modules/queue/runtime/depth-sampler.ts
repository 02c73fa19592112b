import { Injectable, Logger } from '@nestjs/common';
import { JobTransport } from '../core/job-transport';
import { addDepthSource, queueMetrics } from './queue.metrics';

/** A scrape never waits longer than this for the broker's queue counts. */
const SAMPLE_TIMEOUT_MS = 2000;

/** Feeds queue depths and the broker state to /metrics at scrape time. */
@Injectable()
export class DepthSampler {
  private readonly logger = new Logger('QueueDepth');
  private remove?: () => void;
  private types: string[] = [];

  constructor(private readonly transport: JobTransport) {}

  start(types: string[]): void {
    this.types = types;
    this.remove = addDepthSource(() => this.sample());
  }

  stop(): void {
    this.remove?.();
    this.remove = undefined;
  }

  async sample(): Promise<void> {
    const connected = this.transport.isConnected();
    queueMetrics.brokerUp.set({ transport: this.transport.kind }, connected ? 1 : 0);
    if (!connected) return;
    for (const type of this.types) {
      try {
        const d = await withTimeout(this.transport.depth(type), SAMPLE_TIMEOUT_MS);
        queueMetrics.depth.set({ type, queue: 'work' }, d.ready);
        queueMetrics.depth.set({ type, queue: 'retry' }, d.retrying);
        queueMetrics.depth.set({ type, queue: 'dead' }, d.dead);
      } catch (e) {
        this.logger.debug(`depth of ${type} unavailable: ${String(e)}`);
      }
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
