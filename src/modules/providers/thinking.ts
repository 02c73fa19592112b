import type { ThinkingBlock, ThinkingEvent } from './provider.types';

/** Assembles streamed thinking fragments into the blocks of one answer, in block order. */
export class ThinkingCollector {
  private readonly blocks = new Map<number, ThinkingBlock>();

  add(e: ThinkingEvent): void {
    if (e.data !== undefined) {
      this.blocks.set(e.block, { type: 'redacted_thinking', data: e.data });
      return;
    }
    const b = this.blocks.get(e.block) ?? { type: 'thinking', thinking: '', signature: '' };
    if (b.type !== 'thinking') return;
    if (e.thinking) b.thinking += e.thinking;
    if (e.signature) b.signature += e.signature;
    this.blocks.set(e.block, b);
  }

  /** The blocks, or undefined when the answer had no thinking. */
  result(): ThinkingBlock[] | undefined {
    if (!this.blocks.size) return undefined;
    return [...this.blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
  }
}
