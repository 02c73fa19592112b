import type { ChoiceAlternative, FinishReason, ToolCall } from '../../providers';

/**
 * Assembling a streamed answer's messages from its events: tool-call fragments into calls, and
 * the other choices of an `n` > 1 answer (choice 0 is assembled by the model runner itself).
 */

/** Adds one streamed tool-call fragment to the calls of its message, by the call's index. */
export function addFragment(
  calls: Map<number, ToolCall>,
  e: { index: number; id?: string; name?: string; arguments: string },
): void {
  const call = calls.get(e.index) ?? {
    id: e.id ?? '',
    type: 'function' as const,
    function: { name: e.name ?? '', arguments: '' },
  };
  if (e.id) call.id = e.id;
  if (e.name) call.function.name = e.name;
  call.function.arguments += e.arguments;
  calls.set(e.index, call);
}

/** Builds the alternatives (choices 1..n-1) of a streamed `n` > 1 answer from their events. */
export class AlternativeCollector {
  private readonly choices = new Map<
    number,
    { text: string; calls: Map<number, ToolCall>; finish: FinishReason }
  >();

  text(choice: number, text: string): void {
    this.of(choice).text += text;
  }

  calls(choice: number): Map<number, ToolCall> {
    return this.of(choice).calls;
  }

  finish(choice: number, reason: FinishReason): void {
    this.of(choice).finish = reason;
  }

  /** `{ alternatives }` in choice order, or nothing when the answer had one choice. */
  result(): { alternatives?: ChoiceAlternative[] } {
    if (this.choices.size === 0) return {};
    const alternatives = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({
        index,
        content: c.text === '' ? null : c.text,
        tool_calls: [...c.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call),
        finish_reason: c.finish,
      }));
    return { alternatives };
  }

  private of(choice: number) {
    let c = this.choices.get(choice);
    if (!c) this.choices.set(choice, (c = { text: '', calls: new Map(), finish: 'stop' }));
    return c;
  }
}
